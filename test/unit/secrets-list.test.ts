import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretsManagerService } from '../../local/secrets/secrets-service';

interface Listed {
  SecretList: Array<{ Name: string; ARN: string; SecretVersionsToStages: Record<string, string[]> }>;
  NextToken?: string;
}

function secretsNamed(...names: string[]): SecretsManagerService {
  const service = new SecretsManagerService({});
  for (const name of names) service.putSecret(name, JSON.stringify({ name }));
  return service;
}

async function list(service: SecretsManagerService, input: Record<string, unknown> = {}): Promise<Listed> {
  return (await service.handle('ListSecrets', input)) as Listed;
}

describe('Class: SecretsManagerService', () => {
  describe('Method: handle (ListSecrets)', () => {
    it('lists every secret with its ARN and version stages, in creation order', async () => {
      // Prepare
      const prefix = `t-${randomUUID().slice(0, 8)}`;
      const service = secretsNamed(`${prefix}/gateway`, `${prefix}/webhook`);
      service.putSecret(`${prefix}/gateway`, 'rotated');
      // Act
      const { SecretList, NextToken } = await list(service);
      // Assess
      expect(SecretList.map((secret) => secret.Name)).toEqual([`${prefix}/gateway`, `${prefix}/webhook`]);
      expect(SecretList[0]?.ARN).toMatch(
        new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${prefix}/gateway-[0-9a-f]{6}$`),
      );
      expect(Object.values(SecretList[0]?.SecretVersionsToStages ?? {}).sort()).toEqual([
        ['AWSCURRENT'],
        ['AWSPREVIOUS'],
      ]);
      expect(NextToken).toBeUndefined();
    });

    it('filters by name prefix (case-sensitive, ! negates) and by words of all attributes', async () => {
      // Prepare
      const service = secretsNamed('paysaga/prod/gateway', 'paysaga/local/gateway', 'other/db');
      const names = async (Filters: unknown) =>
        (await list(service, { Filters })).SecretList.map((secret) => secret.Name);
      // Act
      const byPrefix = await names([{ Key: 'name', Values: ['paysaga/'] }]);
      const wrongCase = await names([{ Key: 'name', Values: ['PaySaga/'] }]);
      const negated = await names([{ Key: 'name', Values: ['!paysaga/'] }]);
      const both = await names([
        { Key: 'name', Values: ['paysaga/'] },
        { Key: 'all', Values: ['LOCAL'] },
      ]);
      const byTag = await names([{ Key: 'tag-key', Values: ['team'] }]);
      // Assess
      expect(byPrefix).toEqual(['paysaga/prod/gateway', 'paysaga/local/gateway']);
      expect(wrongCase).toEqual([]);
      expect(negated).toEqual(['other/db']);
      expect(both).toEqual(['paysaga/local/gateway']);
      expect(byTag).toEqual([]);
    });

    it('pages with MaxResults and NextToken, newest first with SortOrder desc', async () => {
      // Prepare
      const service = secretsNamed('a', 'b', 'c');
      // Act
      const first = await list(service, { MaxResults: 2, SortOrder: 'desc' });
      const second = await list(service, { MaxResults: 2, SortOrder: 'desc', NextToken: first.NextToken });
      // Assess
      expect(first.SecretList.map((secret) => secret.Name)).toEqual(['c', 'b']);
      expect(first.NextToken).toEqual(expect.any(String));
      expect(second.SecretList.map((secret) => secret.Name)).toEqual(['a']);
      expect(second.NextToken).toBeUndefined();
    });

    it('refuses an unknown filter key and a forged NextToken', async () => {
      // Prepare
      const service = secretsNamed('a');
      // Act
      const badKey = service.handle('ListSecrets', { Filters: [{ Key: 'colour', Values: ['x'] }] });
      const badToken = service.handle('ListSecrets', { NextToken: 'not-a-token' });
      // Assess
      await expect(badKey).rejects.toMatchObject({ type: 'InvalidParameterException' });
      await expect(badToken).rejects.toMatchObject({ type: 'InvalidNextTokenException' });
    });
  });
});
