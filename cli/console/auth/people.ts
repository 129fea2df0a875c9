import type { ConsoleHostedConfig } from '../../../core/config/console';
import type { OpsDeps } from '../../ops/deps';
import type { PeopleAuth } from '../handle-api';
import type { LocalIssuer } from './local-issuer';
import type { TokenVerifier } from './verifier';

/**
 * People mode over a context: each request's data functions (`dataOf`: all of them, cli/console/data,
 * or one access's) run as the signed-in person, so every audit record (recordOpsAction reads
 * deps.identity) names them rather than the Lambda's role or the OS user.
 */
export function peopleAuth<D>(
  deps: OpsDeps,
  verify: TokenVerifier,
  dataOf: (deps: OpsDeps) => D,
): PeopleAuth<D> {
  return {
    verify,
    dataFor: (_person, actor) => dataOf({ ...deps, identity: () => Promise.resolve(actor) }),
  };
}

/** What the app needs to sign in against a local issuer (tests, payctl console --sign-in local). */
export const localHostedConfig = (issuer: Pick<LocalIssuer, 'url' | 'clientId'>): ConsoleHostedConfig => ({
  authority: issuer.url,
  clientId: issuer.clientId,
  scopes: 'openid',
});
