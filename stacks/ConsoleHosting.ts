import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import {
  CONSOLE_API_PREFIX,
  CONSOLE_CONFIG_FILE,
  CONSOLE_SECURITY_HEADERS,
  type ConsoleStageConfig,
  consoleContentSecurityPolicy,
} from '../core/config/console';

/**
 * The console's front end on AWS: console/dist in a private bucket (all
 * public access blocked, TLS only, read by CloudFront alone through origin
 * access control), a distribution that answers HTTPS only with strict
 * security headers, /api/* forwarded uncached to the console API, and an
 * optional WAF web ACL per stage.
 */

/** core/config/console.ts's header values as CloudFront's (the CSP and HSTS are taken as they are). */
const FRAME_OPTIONS: Record<typeof CONSOLE_SECURITY_HEADERS.frameOption, HeadersFrameOption> = {
  DENY: HeadersFrameOption.DENY,
};
const REFERRER_POLICIES: Record<typeof CONSOLE_SECURITY_HEADERS.referrerPolicy, HeadersReferrerPolicy> = {
  'no-referrer': HeadersReferrerPolicy.NO_REFERRER,
};

export interface ConsoleSiteOptions {
  readonly bucketName: string;
  readonly logBucketName: string;
  readonly config: ConsoleStageConfig;
  /** https://<prefix>.auth.<region>.amazoncognito.com: the app posts to its /oauth2/token. */
  readonly authOrigin: string;
  readonly removalPolicy: RemovalPolicy;
}

export interface ConsoleSite {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  /** https://<distribution domain> */
  readonly url: string;
}

/** A private bucket: no public access, no ACLs, TLS only, encrypted, versioned, its accesses logged. */
function privateBucket(
  scope: Construct,
  id: string,
  name: string,
  options: ConsoleSiteOptions,
  logs?: Bucket,
) {
  return new Bucket(scope, id, {
    bucketName: name,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    // CloudFront standard logs are delivered with an ACL: only the log bucket keeps ACLs, for its writer.
    objectOwnership: logs ? ObjectOwnership.BUCKET_OWNER_ENFORCED : ObjectOwnership.OBJECT_WRITER,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    removalPolicy: options.removalPolicy,
    ...(logs && { serverAccessLogsBucket: logs, serverAccessLogsPrefix: 's3/' }),
    ...(!logs && { lifecycleRules: [{ expiration: Duration.days(400) }] }),
  });
}

export function consoleSite(scope: Construct, options: ConsoleSiteOptions): ConsoleSite {
  const logs = privateBucket(scope, 'ConsoleLogBucket', options.logBucketName, options);
  NagSuppressions.addResourceSuppressions(logs, [
    {
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the console bucket and distribution; logging it into itself would loop',
    },
    {
      id: 'PCI.DSS.321-S3BucketLoggingEnabled',
      reason:
        'This is the access-log bucket of the console bucket and distribution; logging it into itself would loop',
    },
    {
      id: 'PCI.DSS.321-S3BucketReplicationEnabled',
      reason:
        'Access logs of a static site, kept 400 days in one region; replication would copy logs, not records',
    },
    {
      id: 'PCI.DSS.321-S3DefaultEncryptionKMS',
      reason:
        'CloudFront standard logging cannot write to a bucket encrypted with a KMS key; SSE-S3 encrypts at rest',
    },
  ]);
  const bucket = privateBucket(scope, 'ConsoleBucket', options.bucketName, options, logs);
  NagSuppressions.addResourceSuppressions(bucket, [
    {
      id: 'PCI.DSS.321-S3BucketReplicationEnabled',
      reason:
        'The bucket holds the built app only (redeployed by sst deploy from the repository), no data to replicate',
    },
    {
      id: 'PCI.DSS.321-S3DefaultEncryptionKMS',
      reason:
        'The bucket holds public-by-design static assets (the built app); SSE-S3 encrypts at rest without a KMS grant to CloudFront',
    },
  ]);

  const { hsts } = CONSOLE_SECURITY_HEADERS;
  const headers = new ResponseHeadersPolicy(scope, 'ConsoleHeaders', {
    comment: 'paysaga console: CSP without unsafe-inline, HSTS, no framing',
    securityHeadersBehavior: {
      contentSecurityPolicy: {
        contentSecurityPolicy: consoleContentSecurityPolicy(options.authOrigin),
        override: true,
      },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.seconds(hsts.maxAgeSeconds),
        includeSubdomains: hsts.includeSubdomains,
        preload: hsts.preload,
        override: true,
      },
      frameOptions: { frameOption: FRAME_OPTIONS[CONSOLE_SECURITY_HEADERS.frameOption], override: true },
      // nosniff: the one value CloudFront's content-type-options header takes.
      contentTypeOptions: { override: true },
      referrerPolicy: {
        referrerPolicy: REFERRER_POLICIES[CONSOLE_SECURITY_HEADERS.referrerPolicy],
        override: true,
      },
    },
  });

  const distribution = new Distribution(scope, 'ConsoleDistribution', {
    comment: `paysaga console (${options.bucketName})`,
    defaultRootObject: 'index.html',
    httpVersion: HttpVersion.HTTP2_AND_3,
    priceClass: PriceClass.PRICE_CLASS_100,
    minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
    enableLogging: true,
    logBucket: logs,
    logFilePrefix: 'cloudfront/',
    ...(options.config.webAclArn && { webAclId: options.config.webAclArn }),
    defaultBehavior: {
      origin: S3BucketOrigin.withOriginAccessControl(bucket),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    },
  });
  const suppressions = [
    {
      id: 'AwsSolutions-CFR1',
      reason:
        'Staff sign in with MFA from wherever they work; a country allow-list would lock out travelling on-call staff',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'The default CloudFront certificate cannot pin TLS 1.2; add a custom domain and certificate (minimum TLSv1.2_2021 is set) to enforce it',
    },
  ];
  if (!options.config.webAclArn) {
    suppressions.push({
      id: 'AwsSolutions-CFR2',
      reason:
        'WAF is optional per stage (core/config/console.ts webAclArn, a us-east-1 CLOUDFRONT web ACL); this stage names none',
    });
  }
  NagSuppressions.addResourceSuppressions(distribution, suppressions);

  return { bucket, distribution, headers, url: `https://${distribution.distributionDomainName}` };
}

/** Adds /api/* -> the console API (no caching; every header but Host, so Authorization reaches it). */
export function routeConsoleApi(site: ConsoleSite, restApiId: string, stage: string): void {
  const api = new HttpOrigin(`${restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
    originPath: `/${stage}`,
    protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
  });
  // The sign-in settings come from the API too (the read function's environment, set at deploy from the
  // pool and client): the bucket holds only the build, so uploading it needs nothing from the stack's outputs.
  for (const path of [`${CONSOLE_API_PREFIX}/*`, `/${CONSOLE_CONFIG_FILE}`]) {
    site.distribution.addBehavior(path, api, {
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods:
        path === `/${CONSOLE_CONFIG_FILE}` ? AllowedMethods.ALLOW_GET_HEAD : AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: site.headers,
    });
  }
}
