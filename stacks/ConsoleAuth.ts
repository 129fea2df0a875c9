import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import {
  CONSOLE_CALLBACK_PATH,
  CONSOLE_GROUPS,
  CONSOLE_PASSWORD_POLICY,
  type ConsoleGroup,
  type ConsoleStageConfig,
} from '../core/config/console';

/**
 * Who signs in to the hosted console: a Cognito user pool for PEOPLE, apart
 * from the API's pool of machine clients. Admins create the users (no
 * self sign-up), TOTP MFA is required, a strong password policy, threat
 * protection as the stage config says, and the two groups the console's
 * rules name. The app client uses the authorization-code grant with PKCE
 * (a public client: no secret in a browser).
 */

export interface ConsolePeoplePoolOptions {
  readonly userPoolName: string;
  readonly config: ConsoleStageConfig;
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

export interface ConsolePeoplePool {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  readonly groups: Readonly<Record<ConsoleGroup, string>>;
}

const THREAT_PROTECTION: Record<ConsoleStageConfig['threatProtection'], StandardThreatProtectionMode> = {
  ENFORCED: StandardThreatProtectionMode.FULL_FUNCTION,
  AUDIT: StandardThreatProtectionMode.AUDIT_ONLY,
  OFF: StandardThreatProtectionMode.NO_ENFORCEMENT,
};

export function consolePeoplePool(scope: Construct, options: ConsolePeoplePoolOptions): ConsolePeoplePool {
  const { config } = options;
  const { tempPasswordValidityDays, ...passwordPolicy } = CONSOLE_PASSWORD_POLICY;
  const threatProtection = config.threatProtection !== 'OFF';
  const userPool = new UserPool(scope, 'ConsoleUserPool', {
    userPoolName: options.userPoolName,
    selfSignUpEnabled: false,
    signInAliases: { username: true, email: true },
    signInCaseSensitive: false,
    mfa: Mfa.REQUIRED,
    mfaSecondFactor: { sms: false, otp: true },
    passwordPolicy: { ...passwordPolicy, tempPasswordValidity: Duration.days(tempPasswordValidityDays) },
    accountRecovery: AccountRecovery.EMAIL_ONLY,
    featurePlan: threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
    ...(threatProtection && { standardThreatProtectionMode: THREAT_PROTECTION[config.threatProtection] }),
    deletionProtection: options.deletionProtection,
    removalPolicy: options.removalPolicy,
  });
  if (config.threatProtection !== 'ENFORCED') {
    NagSuppressions.addResourceSuppressions(userPool, [
      {
        id: 'AwsSolutions-COG3',
        reason: `The stage config sets threat protection to ${config.threatProtection} (core/config/console.ts): enforced on prod, where its per-user Plus plan is paid`,
      },
    ]);
  }

  const groups = Object.fromEntries(
    (Object.entries(CONSOLE_GROUPS) as [ConsoleGroup, { description: string }][]).map(([name, group]) => {
      const created = userPool.addGroup(`Console${name.charAt(0).toUpperCase()}${name.slice(1)}Group`, {
        groupName: name,
        description: group.description,
      });
      return [name, created.groupName];
    }),
  ) as Record<ConsoleGroup, string>;

  const domain = userPool.addDomain('ConsoleAuthDomain', {
    cognitoDomain: { domainPrefix: config.authDomainPrefix },
  });
  return { userPool, domain, groups };
}

/** The console app's client: authorization code + PKCE only, back to the distribution (or configured URLs). */
export function consoleAppClient(
  pool: ConsolePeoplePool,
  options: { readonly origins: readonly string[]; readonly config: ConsoleStageConfig },
): UserPoolClient {
  const validity = Duration.minutes(options.config.tokenValidityMinutes);
  const callbackUrls = [
    ...options.origins.map((origin) => `${origin}${CONSOLE_CALLBACK_PATH}`),
    ...options.config.extraCallbackUrls,
  ];
  return pool.userPool.addClient('ConsoleAppClient', {
    userPoolClientName: 'console',
    generateSecret: false,
    // Only the hosted UI signs people in (with MFA); no direct password or SRP calls from elsewhere.
    authFlows: { user: false, userPassword: false, userSrp: false, custom: false, adminUserPassword: false },
    oAuth: {
      flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
      scopes: [OAuthScope.OPENID],
      callbackUrls,
      logoutUrls: callbackUrls,
    },
    supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
    idTokenValidity: validity,
    accessTokenValidity: validity,
    refreshTokenValidity: Duration.hours(8),
    enableTokenRevocation: true,
    preventUserExistenceErrors: true,
  });
}
