/** Everything the local runtime saw: AWS calls, run events, alerts, webhook posts. */

export interface AwsCall {
  service: string;
  command: string;
  input: unknown;
}

export interface PublishedEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

export interface SentAlert {
  subject: string;
  message: string;
}

/**
 * A webhook post, as the report shows it: the alert route and the secret its URL came from. The
 * URL itself is the secret's value (it holds the integration's token): never recorded.
 */
export interface WebhookPost {
  route: string;
  secret: string;
  body: unknown;
}

export class Recorder {
  calls: AwsCall[] = [];
  events: PublishedEvent[] = [];
  alerts: SentAlert[] = [];
  webhooks: WebhookPost[] = [];
  private readonly listeners: ((
    kind: 'call' | 'event' | 'alert',
    value: AwsCall | PublishedEvent | SentAlert,
  ) => void)[] = [];

  call(service: string, command: string, input: unknown): void {
    const c = { service, command, input: structuredClone(input) };
    this.calls.push(c);
    for (const l of this.listeners) l('call', c);
  }

  event(e: PublishedEvent): void {
    this.events.push(e);
    for (const l of this.listeners) l('event', e);
  }

  alert(a: SentAlert): void {
    this.alerts.push(a);
    for (const l of this.listeners) l('alert', a);
  }

  on(listener: (kind: 'call' | 'event' | 'alert', value: AwsCall | PublishedEvent | SentAlert) => void): void {
    this.listeners.push(listener);
  }

  /** Clears what was recorded (between invocations), keeping listeners. */
  reset(): void {
    this.calls = [];
    this.events = [];
    this.alerts = [];
    this.webhooks = [];
  }
}
