import { ApiKey, Period, type RestApi, UsagePlan } from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { API } from '../core/config/names';
import { pascal } from './api-auth';
import type { ApiClientConfig } from './stage-config';

export interface ClientUsagePlan {
  readonly apiKey: ApiKey;
  readonly usagePlan: UsagePlan;
}

/**
 * Per-client limits: each client gets its own API key (sent as x-api-key)
 * and a usage plan with its throttle (requests/s, burst) and daily quota on
 * the API's stage, so one client's burst cannot use up another's capacity.
 * API Gateway generates the key's value; it never appears in a template.
 */
/** One API key per client, made before the functions: API_CLIENTS binds each key id to its app client. */
export function clientApiKeys(
  scope: Construct,
  apiName: string,
  clients: readonly ApiClientConfig[],
): ReadonlyMap<string, ApiKey> {
  return new Map(
    clients.map((client) => [
      client.name,
      new ApiKey(scope, `${pascal(client.name)}ApiKey`, {
        apiKeyName: `${apiName}-${client.name}`,
        description: `paysaga API key of ${client.name} (source ${client.source})`,
        enabled: true,
      }),
    ]),
  );
}

export function clientUsagePlans(
  scope: Construct,
  api: RestApi,
  apiName: string,
  clients: readonly ApiClientConfig[],
  apiKeys: ReadonlyMap<string, ApiKey>,
): ReadonlyMap<string, ClientUsagePlan> {
  const plans = new Map<string, ClientUsagePlan>();
  for (const client of clients) {
    const id = pascal(client.name);
    const apiKey = apiKeys.get(client.name);
    if (!apiKey) throw new Error(`no API key made for client ${client.name}`);
    const throttle = client.throttle ?? API.defaultThrottle;
    const usagePlan = new UsagePlan(scope, `${id}UsagePlan`, {
      name: `${apiName}-${client.name}`,
      description: `Limits of ${client.name}`,
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
      quota: { limit: client.dailyQuota, period: Period.DAY },
      apiStages: [{ api, stage: api.deploymentStage }],
    });
    usagePlan.addApiKey(apiKey);
    plans.set(client.name, { apiKey, usagePlan });
  }
  return plans;
}
