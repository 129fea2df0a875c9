import { describe, expect, it } from 'vitest';
import {
  type StageConfig,
  StageConfigError,
  stageConfig,
  validateStageConfig,
} from '../../stacks/stage-config';

const ROLE = (name: string) => `arn:aws:iam::222222222222:role/${name}`;

/** A valid configuration to break one field at a time; unique names per test keep messages apart. */
function configWith(overrides: Partial<StageConfig>): StageConfig {
  return {
    ...stageConfig('dev'),
    apiClients: [{ name: 'acme', source: 'partner.acme', scopes: ['write'], dailyQuota: 100 }],
    eventProducers: [{ principal: ROLE('checkout'), sources: ['com.example.checkout'] }],
    ...overrides,
  };
}

describe('validateStageConfig', () => {
  it.each(['dev', 'prod'])('accepts the %s stage as shipped', (stage) => {
    // Act
    const config = stageConfig(stage);
    // Assess
    expect(config.apiClients.length).toBeGreaterThan(0);
    expect(config.eventProducers.length).toBeGreaterThan(0);
  });

  it('refuses a source claimed by an API client and a producer (one could publish as the other)', () => {
    // Prepare
    const config = configWith({
      eventProducers: [{ principal: ROLE('shared'), sources: ['partner.acme'] }],
    });
    // Act
    const act = () => validateStageConfig(config);
    // Assess
    expect(act).toThrow(StageConfigError);
    expect(act).toThrow(/partner\.acme.*claimed by both API client acme and producer/);
  });

  it("refuses paysaga's own sources for a client or a producer", () => {
    // Prepare
    const client = configWith({
      apiClients: [{ name: 'sneaky', source: 'paysaga.saga', scopes: ['write'], dailyQuota: 1 }],
    });
    const producer = configWith({ eventProducers: [{ principal: ROLE('ops'), sources: ['paysaga.ops'] }] });
    // Act / Assess
    expect(() => validateStageConfig(client)).toThrow(/paysaga\.saga" belongs to paysaga itself/);
    expect(() => validateStageConfig(producer)).toThrow(/paysaga\.ops" belongs to paysaga itself/);
  });

  it('refuses a producer named by account instead of role (aws:PrincipalArn is a role ARN)', () => {
    // Prepare
    const config = configWith({
      eventProducers: [{ principal: 'arn:aws:iam::222222222222:root', sources: ['com.example.root'] }],
    });
    // Act / Assess
    expect(() => validateStageConfig(config)).toThrow(/is not a role ARN/);
  });

  it('refuses duplicate client names, a client without scope and one without quota', () => {
    // Prepare
    const config = configWith({
      apiClients: [
        { name: 'twin', source: 'partner.twin-a', scopes: ['read'], dailyQuota: 10 },
        { name: 'twin', source: 'partner.twin-b', scopes: [], dailyQuota: 0 },
      ],
    });
    // Act / Assess
    expect(() => validateStageConfig(config)).toThrow(
      /"twin" appears twice.*twin has no scope.*twin has no daily quota/,
    );
  });
});
