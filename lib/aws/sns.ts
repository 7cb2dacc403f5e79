/** The alert topic. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

export const snsClient = new SNSClient({ maxAttempts: 6 });

export interface AlertMessage {
  subject: string;
  text: string;
  attributes: Record<string, string>;
}

export type AlertTopicPort = ReturnType<typeof buildAlertTopic>;

export const buildAlertTopic = (client: SNSClient, topicArn: string) => ({
  publish: async (m: AlertMessage): Promise<void> => {
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
