/**
 * Reads synthesized CloudFormation templates the way CloudFormation would
 * resolve them for one account and region: Ref, Fn::GetAtt, Fn::Join,
 * Fn::ImportValue across the app's stacks become the concrete names and ARNs
 * AWS would see. Tests then compare against names.ts instead of logical ids.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: string } }>;
}

export interface CfnEnvironment {
  readonly account: string;
  readonly region: string;
}

const NAME_PROPERTY: Record<string, string> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::IAM::Role': 'RoleName',
  // Ref of these returns a name, as CloudFormation documents for each type.
  'AWS::ApiGateway::Stage': 'StageName',
  'AWS::Cognito::UserPoolResourceServer': 'Identifier',
  'AWS::Cognito::UserPoolDomain': 'Domain',
  'AWS::WAFv2::WebACL': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::S3::Bucket': 'BucketName',
};

export class UnresolvableError extends Error {
  override readonly name = 'UnresolvableError';
}

export class CfnApp {
  constructor(
    readonly templates: Readonly<Record<string, CfnTemplate>>,
    readonly env: CfnEnvironment,
  ) {}

  resource(stack: string, logicalId: string): CfnResource {
    const resource = this.templates[stack]?.Resources[logicalId];
    if (!resource) throw new UnresolvableError(`no resource ${logicalId} in stack ${stack}`);
    return resource;
  }

  /** Every resource of a type, across stacks: [stack, logicalId, resource]. */
  resourcesOfType(type: string): [string, string, CfnResource][] {
    return Object.entries(this.templates).flatMap(([stack, template]) =>
      Object.entries(template.Resources)
        .filter(([, resource]) => resource.Type === type)
        .map(([logicalId, resource]): [string, string, CfnResource] => [stack, logicalId, resource]),
    );
  }

  /** The physical name a resource is given (or its logical id when CloudFormation would generate one). */
  physicalName(stack: string, logicalId: string): string {
    const resource = this.resource(stack, logicalId);
    const property = NAME_PROPERTY[resource.Type];
    const name = property ? resource.Properties?.[property] : undefined;
    return name === undefined ? logicalId : this.render(stack, name);
  }

  arn(stack: string, logicalId: string): string {
    const { account, region } = this.env;
    const resource = this.resource(stack, logicalId);
    const name = this.physicalName(stack, logicalId);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${name}`;
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${region}:${account}:event-bus/${name}`;
      case 'AWS::Events::Rule': {
        const bus = this.render(stack, resource.Properties?.EventBusName ?? 'default');
        return `arn:aws:events:${region}:${account}:rule/${bus}/${name}`;
      }
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${name}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${account}:key/${logicalId}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${name}`;
      case 'AWS::CloudWatch::Alarm':
        return `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      // Generated ids (user pool, web ACL) stand in as their logical ids.
      case 'AWS::Cognito::UserPool':
        return `arn:aws:cognito-idp:${region}:${account}:userpool/${logicalId}`;
      case 'AWS::WAFv2::WebACL':
        return `arn:aws:wafv2:${region}:${account}:regional/webacl/${name}/${logicalId}`;
      default:
        throw new UnresolvableError(`no ARN format for ${resource.Type} (${logicalId})`);
    }
  }

  private ref(stack: string, logicalId: string): string {
    const { account, region } = this.env;
    if (logicalId === 'AWS::Partition') return 'aws';
    if (logicalId === 'AWS::Region') return region;
    if (logicalId === 'AWS::AccountId') return account;
    if (logicalId === 'AWS::URLSuffix') return 'amazonaws.com';
    const resource = this.resource(stack, logicalId);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${this.physicalName(stack, logicalId)}`;
      case 'AWS::SecretsManager::Secret':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SNS::Topic':
        return this.arn(stack, logicalId);
      case 'AWS::KMS::Key':
        return logicalId;
      default:
        return this.physicalName(stack, logicalId);
    }
  }

  private importValue(exportName: string): string {
    for (const [stack, template] of Object.entries(this.templates)) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export?.Name === exportName) return this.render(stack, output.Value);
      }
    }
    throw new UnresolvableError(`no stack exports ${exportName}`);
  }

  /** Resolves a template value to the string CloudFormation would produce. */
  render(stack: string, value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value !== 'object' || value === null)
      throw new UnresolvableError(`cannot render ${String(value)}`);
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return this.ref(stack, record.Ref);
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const [logicalId, attribute] = getAtt as [string, string];
      if (attribute === 'Arn') return this.arn(stack, logicalId);
      if (attribute === 'QueueName' || attribute === 'Name') return this.physicalName(stack, logicalId);
      if (attribute === 'QueueUrl') return this.ref(stack, logicalId);
      // A table's stream ARN ends in its creation time; a fixed one stands in.
      if (attribute === 'StreamArn') return `${this.arn(stack, logicalId)}/stream/1970-01-01T00:00:00.000`;
      throw new UnresolvableError(`no rendering for GetAtt ${logicalId}.${attribute}`);
    }
    const join = record['Fn::Join'];
    if (Array.isArray(join)) {
      const [separator, parts] = join as [string, unknown[]];
      return parts.map((part) => this.render(stack, part)).join(separator);
    }
    const imported = record['Fn::ImportValue'];
    if (typeof imported === 'string') return this.importValue(imported);
    throw new UnresolvableError(`cannot render ${JSON.stringify(value)}`);
  }

  /** Renders every string leaf of a structure (policy documents, environments). */
  renderDeep(stack: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.renderDeep(stack, item));
    if (typeof value === 'object' && value !== null) {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::')))
        return this.render(stack, value);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.renderDeep(stack, v)]));
    }
    return value;
  }
}
