/** The alert topic. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { AlertTopicPort } from '../ports.ts';

export const snsClient = new SNSClient({ maxAttempts: 6 });

export const buildAlertTopic = (client: SNSClient, topicArn: string): AlertTopicPort => ({
  publish: async (m) => {
    await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: m.subject,
        Message: m.text,
        MessageAttributes: Object.fromEntries(
          Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }),
    );
  },
});
