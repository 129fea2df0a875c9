"""Drives the paysaga local runtime with Debian's boto3 (1.26: SQS over the query protocol).

Run by test/clients/aws-clients.spec.ts with the endpoint and credentials in the environment
and the test's resources as arguments; prints one JSON document of what each call answered,
for the test to assert on. boto3 1.26 does not read AWS_ENDPOINT_URL, so the endpoint is
passed to each client.
"""

import hashlib
import json
import os
import sys

import boto3
import botocore

queue_name, table_name, secret_name, state_machine_arn, body = sys.argv[1:6]
endpoint = os.environ["AWS_ENDPOINT_URL"]


def client(service):
    return boto3.client(service, endpoint_url=endpoint)


sqs = client("sqs")
queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
sent = sqs.send_message(
    QueueUrl=queue_url,
    MessageBody=body,
    MessageAttributes={"kind": {"DataType": "String", "StringValue": "boto3"}},
)
received = sqs.receive_message(
    QueueUrl=queue_url, AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=1
)["Messages"]
sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=received[0]["ReceiptHandle"])
batch = sqs.send_message_batch(
    QueueUrl=queue_url,
    Entries=[{"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}],
)
try:
    sqs.get_queue_url(QueueName=queue_name + "-missing")
    missing_queue_error = None
except botocore.exceptions.ClientError as error:
    missing_queue_error = error.response["Error"]["Code"]

events = client("events")
stepfunctions = client("stepfunctions")
dynamodb = client("dynamodb")
secrets = client("secretsmanager")

print(
    json.dumps(
        {
            "botocore": botocore.__version__,
            "queueUrls": sqs.list_queues()["QueueUrls"],
            "queueUrl": queue_url,
            "sent": {"MD5OfMessageBody": sent["MD5OfMessageBody"], "MessageId": sent["MessageId"]},
            "bodyMd5": hashlib.md5(body.encode("utf-8")).hexdigest(),
            "received": [
                {
                    "Body": m["Body"],
                    "MD5OfBody": m["MD5OfBody"],
                    "MessageId": m["MessageId"],
                    "ReceiveCount": m["Attributes"]["ApproximateReceiveCount"],
                    "Kind": m["MessageAttributes"]["kind"]["StringValue"],
                }
                for m in received
            ],
            "batchSuccessful": sorted(entry["Id"] for entry in batch["Successful"]),
            "attributes": sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"],
            "missingQueueError": missing_queue_error,
            "eventBuses": [bus["Name"] for bus in events.list_event_buses()["EventBuses"]],
            "putEvents": events.put_events(
                Entries=[{"Source": "test.boto3", "DetailType": "Boto3Probe", "Detail": "{}"}]
            )["FailedEntryCount"],
            "stateMachines": [m["stateMachineArn"] for m in stepfunctions.list_state_machines()["stateMachines"]],
            "executions": [
                e["executionArn"]
                for e in stepfunctions.list_executions(stateMachineArn=state_machine_arn)["executions"]
            ],
            "tables": dynamodb.list_tables()["TableNames"],
            "scanned": dynamodb.scan(TableName=table_name)["Items"],
            "secrets": [s["Name"] for s in secrets.list_secrets()["SecretList"]],
            "described": secrets.describe_secret(SecretId=secret_name)["Name"],
            "secretString": secrets.get_secret_value(SecretId=secret_name)["SecretString"],
        }
    )
)
