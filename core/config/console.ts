/**
 * The hosted console (issue 20): who may do what, and what differs per stage.
 * One source of truth, read by the console's API pipeline (cli/console/api.ts,
 * the local server and the hosted Lambdas alike), stacks/Console*.ts, the
 * console app and the tests.
 */

/** The Cognito groups of people (not machines), in the console user pool. */
export const CONSOLE_GROUPS = {
  operations: {
    description:
      'paysaga operations: read everything, and the audited actions (redrive, refund, resolve, adjust, resend)',
  },
  finance: {
    description: 'paysaga finance: read-only (payments, history, reports, reconcile, wallets, audit)',
  },
} as const;
export type ConsoleGroup = keyof typeof CONSOLE_GROUPS;
export const CONSOLE_GROUP_NAMES = Object.keys(CONSOLE_GROUPS) as ConsoleGroup[];

/** What a console route does: read, or one of the audited actions. */
export type ConsoleAccess = 'read' | 'act';

/**
 * The group rules, in one place: every route of the console's JSON API reads
 * with GET and acts with POST (cli/console/routes.ts), so the route's method
 * names its access, and the access names the groups that may use it. A method
 * not listed here is refused for everyone (fail closed): a new action route is
 * operations-only from the day it is added.
 */
export const CONSOLE_ROUTE_ACCESS: Readonly<Record<string, ConsoleAccess>> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'act',
};

export const CONSOLE_ACCESS_GROUPS: Readonly<Record<ConsoleAccess, readonly ConsoleGroup[]>> = {
  read: ['operations', 'finance'],
  act: ['operations'],
};

/** Where the console's JSON API lives, on the loopback server and behind CloudFront alike. */
export const CONSOLE_API_PREFIX = '/api';

/**
 * The one exception to "GET reads": the plan an action's confirmation dialog
 * shows is worked out with the action's own rights (the resolve plans ask the
 * gateway with the stage's secret and peek the compensation DLQ; the DLQ
 * redrive plan reads the queue it would move to), so it is an `act` route:
 * served by the act function, for the groups that may act. Paths under
 * CONSOLE_API_PREFIX; `{name}` is one path segment. The console app asks for
 * a plan only when it offers the action (meta.allowActions).
 */
export const CONSOLE_ACTION_PLANS: readonly string[] = [
  '/payments/{paymentId}/resolve',
  '/payments/{paymentId}/resolve-refund',
  '/dlqs/{queue}/plan',
];

const segmentsOf = (path: string): string[] => path.split('/').filter(Boolean);

/** Whether a request path (or an API Gateway resource path with its `{variables}`) is an action's plan. */
export function isActionPlan(path: string): boolean {
  const parts = segmentsOf(path);
  return CONSOLE_ACTION_PLANS.some((plan) => {
    const pattern = segmentsOf(`${CONSOLE_API_PREFIX}${plan}`);
    return (
      pattern.length === parts.length &&
      pattern.every((segment, i) => segment === parts[i] || (/^\{\w+\}$/.test(segment) && parts[i] !== ''))
    );
  });
}

/** The access of a route: by its method, but an action's plan is `act`; undefined: not served (fail closed). */
export function consoleRouteAccess(method: string, path: string): ConsoleAccess | undefined {
  const access = CONSOLE_ROUTE_ACCESS[method.toUpperCase()];
  return access === 'read' && isActionPlan(path) ? 'act' : access;
}

/** The groups that may call a route; none for a method the console does not serve. */
export function groupsAllowed(method: string, path = ''): readonly ConsoleGroup[] {
  const access = consoleRouteAccess(method, path);
  return access === undefined ? [] : CONSOLE_ACCESS_GROUPS[access];
}
/** The hosted app's sign-in settings: answered by the console API's read function (from its environment). */
export const CONSOLE_CONFIG_FILE = 'console-config.json';
/** The path the authorization server sends the browser back to with ?code=. */
export const CONSOLE_CALLBACK_PATH = '/';

/**
 * The hosted console's CSP: no inline script or style, nothing from elsewhere but the sign-in domain's
 * token endpoint (`authOrigin`: https://<prefix>.auth.<region>.amazoncognito.com, or a local issuer's).
 */
export function consoleContentSecurityPolicy(authOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${authOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The other security headers CloudFront adds to every response of the hosted console (stacks/ConsoleHosting.ts
 * builds its response headers policy from these): HSTS for two years with subdomains and preload, no framing,
 * no MIME sniffing, no referrer.
 */
export const CONSOLE_SECURITY_HEADERS = {
  hsts: { maxAgeSeconds: 730 * 86_400, includeSubdomains: true, preload: true },
  frameOption: 'DENY',
  contentTypeOptions: 'nosniff',
  referrerPolicy: 'no-referrer',
} as const;

/** The response headers as a browser receives them from the console's distribution (tests serve the same). */
export function consoleResponseHeaders(authOrigin: string): Readonly<Record<string, string>> {
  const { hsts } = CONSOLE_SECURITY_HEADERS;
  return {
    'content-security-policy': consoleContentSecurityPolicy(authOrigin),
    'strict-transport-security': [
      `max-age=${hsts.maxAgeSeconds}`,
      ...(hsts.includeSubdomains ? ['includeSubDomains'] : []),
      ...(hsts.preload ? ['preload'] : []),
    ].join('; '),
    'x-frame-options': CONSOLE_SECURITY_HEADERS.frameOption,
    'x-content-type-options': CONSOLE_SECURITY_HEADERS.contentTypeOptions,
    'referrer-policy': CONSOLE_SECURITY_HEADERS.referrerPolicy,
  };
}

/** The Cognito advanced security (threat protection) mode of the people's pool. */
export type ConsoleThreatProtection = 'ENFORCED' | 'AUDIT' | 'OFF';

export interface ConsoleStageConfig {
  /** Whether the stage hosts the console at all (bucket, CloudFront, people's pool, console API). */
  readonly hosted: boolean;
  /** Cognito hosted-UI domain prefix of the people's pool; unique per region across all accounts. */
  readonly authDomainPrefix: string;
  /**
   * Threat protection (advanced security: compromised credentials, adaptive auth). ENFORCED needs the
   * Plus feature plan (billed per active user); OFF keeps the Essentials plan.
   */
  readonly threatProtection: ConsoleThreatProtection;
  /**
   * An existing AWS WAF web ACL for CloudFront (scope CLOUDFRONT, created in us-east-1) to attach to the
   * distribution; none: no WAF (CloudFront's own DDoS protection only).
   */
  readonly webAclArn?: string;
  /** Extra sign-in callback URLs besides the distribution's own (e.g. a custom domain). */
  readonly extraCallbackUrls: readonly string[];
  /** How long an ID/access token lasts: a stolen one is useful at most this long. */
  readonly tokenValidityMinutes: number;
}

const DEV: ConsoleStageConfig = {
  hosted: true,
  authDomainPrefix: 'paysaga-dev-console',
  threatProtection: 'AUDIT',
  extraCallbackUrls: [],
  tokenValidityMinutes: 60,
};

const PROD: ConsoleStageConfig = {
  hosted: true,
  authDomainPrefix: 'paysaga-prod-console',
  threatProtection: 'ENFORCED',
  // PLACEHOLDER: the ARN of your us-east-1 CloudFront web ACL, e.g.
  // arn:aws:wafv2:us-east-1:111111111111:global/webacl/paysaga-prod-console/<id>
  webAclArn: undefined,
  extraCallbackUrls: [],
  tokenValidityMinutes: 30,
};

export function consoleStageConfig(stage: string): ConsoleStageConfig {
  return stage === 'prod' ? PROD : DEV;
}

/** Password policy of the people's pool (NIST 800-63B length, PCI DSS 8.3.6 complexity). */
export const CONSOLE_PASSWORD_POLICY = {
  minLength: 14,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  tempPasswordValidityDays: 3,
} as const;

/**
 * What the app reads from CONSOLE_CONFIG_FILE when served hosted: where to sign in (the people's pool's
 * hosted UI, or the local token issuer) and as which app client. Absent file: the loopback console, no sign-in.
 */
export interface ConsoleHostedConfig {
  /** Base URL of /oauth2/authorize and /oauth2/token. */
  readonly authority: string;
  readonly clientId: string;
  /** Space-separated OAuth scopes; the ID token needs openid. */
  readonly scopes: string;
}

/**
 * The hosted console API's Lambdas: one per access, so a finance request can only ever reach a role that
 * cannot write (least privilege behind the group check). Each has its own entry, which bundles only its
 * access's routes and data functions (cli/console/routes/read.ts, act.ts; issue 18 goal 1: <= 250 KB).
 */
export const CONSOLE_FUNCTIONS: Readonly<
  Record<
    ConsoleAccess,
    {
      readonly suffix: string;
      readonly entry: string;
      readonly memoryMb: number;
      readonly timeoutSeconds: number;
    }
  >
> = {
  read: {
    suffix: 'console-api-read',
    entry: 'functions/console-api-read.ts',
    memoryMb: 512,
    timeoutSeconds: 29,
  },
  act: {
    suffix: 'console-api-act',
    entry: 'functions/console-api-act.ts',
    memoryMb: 512,
    timeoutSeconds: 29,
  },
};

export const consoleFunctionName = (stage: string, access: ConsoleAccess): string =>
  `paysaga-${stage}-${CONSOLE_FUNCTIONS[access].suffix}`;

/** What the console API Lambdas read from their environment. */
export const CONSOLE_ENV = {
  userPoolId: 'CONSOLE_USER_POOL_ID',
  clientId: 'CONSOLE_CLIENT_ID',
  /** The pool's hosted-UI base URL, which the read function tells the app (CONSOLE_CONFIG_FILE). */
  authority: 'CONSOLE_AUTHORITY',
  /** The access the function serves (read | act): a request of the other kind is refused. */
  access: 'CONSOLE_ACCESS',
} as const;

/** The console functions' roles are named: the bus policy (Api stack, deployed first) names the act role. */
export const consoleRoleName = (stage: string, access: ConsoleAccess): string =>
  `paysaga-${stage}-${CONSOLE_FUNCTIONS[access].suffix}`;
