import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../errors';
import type { RegisterCommands } from '../registry';
import { deliveriesOf, listEndpoints, resendWebhook, showEndpoint } from './webhooks';

function registerList(webhooks: Command, context: () => CliContext): void {
  webhooks
    .command('list')
    .description("every client's webhook endpoints (never their secrets)")
    .action(async () => {
      const ctx = context();
      const endpoints = await listEndpoints(ctx);
      ctx.out.table(endpoints, [
        { header: 'ENDPOINT', value: (e) => e.endpointId },
        { header: 'CLIENT', value: (e) => e.clientId },
        { header: 'URL', value: (e) => e.url },
        { header: 'EVENTS', value: (e) => e.events.join(',') },
        { header: 'SECRETS', value: (e) => e.signingSecrets, align: 'right' },
      ]);
    });
  webhooks
    .command('show <endpointId>')
    .description('one endpoint: client, url, event types, secrets signing (count), rotation')
    .action(async (endpointId: string) => {
      const ctx = context();
      const endpoint = await showEndpoint(ctx, endpointId);
      ctx.out.result(endpoint, () => {
        ctx.out.line(`Endpoint  ${endpoint.endpointId}`);
        ctx.out.line(`Client    ${endpoint.clientId}`);
        ctx.out.line(`URL       ${endpoint.url}`);
        ctx.out.line(`Events    ${endpoint.events.join(', ')}`);
        ctx.out.line(`Created   ${endpoint.createdAt}`);
        ctx.out.line(`Rotated   ${endpoint.rotatedAt ?? '-'}`);
        ctx.out.line(`Signing   ${endpoint.signingSecrets} secret(s)`);
      });
    });
}

function registerDeliveries(webhooks: Command, context: () => CliContext): void {
  webhooks
    .command('deliveries <paymentIdOrEventId>')
    .description(
      'the delivery log: each event of a payment (top-up, refund) or one event (ntf_...), every attempt',
    )
    .action(async (id: string) => {
      const ctx = context();
      const logs = await deliveriesOf(ctx, id);
      if (logs.length === 0) throw new CliError(`no webhook event recorded for ${id}`);
      ctx.out.result(logs, () => {
        for (const log of logs) {
          ctx.out.line(`Event ${log.event?.eventId}  ${log.event?.type}  client ${log.event?.clientId}`);
          ctx.out.table(log.deliveries, [
            { header: 'ENDPOINT', value: (d) => d.endpointId },
            { header: 'STATUS', value: (d) => d.status },
            { header: 'ATTEMPTS', value: (d) => d.attempts, align: 'right' },
            { header: 'LAST', value: (d) => d.lastStatusCode ?? d.lastError ?? '' },
          ]);
          ctx.out.line();
          ctx.out.table(log.attempts, [
            { header: 'AT', value: (a) => a.at },
            { header: 'ENDPOINT', value: (a) => a.endpointId },
            { header: '#', value: (a) => a.attempt, align: 'right' },
            { header: 'STATUS', value: (a) => a.statusCode ?? '-', align: 'right' },
            { header: 'MS', value: (a) => a.latencyMs, align: 'right' },
            { header: 'ERROR', value: (a) => a.error ?? '' },
            { header: 'RESENT BY', value: (a) => a.resentBy ?? '' },
          ]);
          ctx.out.line();
        }
      });
    });
}

function registerResend(webhooks: Command, context: () => CliContext): void {
  webhooks
    .command('resend <eventId>')
    .description(
      'deliver an event again (audited): to every subscribed endpoint of its client, or --endpoint',
    )
    .option('--endpoint <endpointId>', 'only this endpoint (it must belong to the event’s client)')
    .action(async (eventId: string, options: { endpoint?: string }) => {
      const ctx = context();
      const target = options.endpoint ? `${eventId} to ${options.endpoint}` : eventId;
      if (!(await ctx.confirm(`Resend webhook event ${target}?`))) return;
      const { audit, ...result } = await resendWebhook(ctx, eventId, options.endpoint);
      ctx.out.result(result, () => {
        ctx.out.line(
          `Queued ${result.endpoints.length} delivery(ies): ${result.endpoints.join(', ') || '-'}`,
        );
        ctx.out.line(`Audit   ${result.auditId ?? '-'}`);
      });
      if (audit.warning) ctx.out.note(`warning: ${audit.warning}`);
      if (audit.problem) {
        ctx.out.note(`error: ${audit.problem}`);
        throw new CliError(audit.problem, EXIT.partial);
      }
    });
}

export const registerWebhookCommands: RegisterCommands = (program, context) => {
  const webhooks = program
    .command('webhooks')
    .description('merchant webhooks: endpoints, the delivery log, resend (audited)');
  registerList(webhooks, context);
  registerDeliveries(webhooks, context);
  registerResend(webhooks, context);
};
