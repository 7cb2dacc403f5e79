/**
 * The job catalog: the single source of truth for what longshore runs. `serverless.ts` turns it into
 * AWS resources at build time and validates it; every Lambda bundle carries that validated form
 * (lib/catalog/shippedCatalog.ts).
 * Reference: README.md, "The job catalog". Validate with `npx longshore jobs validate`.
 */
import { defineCatalog, ecrImage, param, secretsManager, ssmParameter } from './lib/catalog/define.ts';

export default defineCatalog({
  // Subnets and security groups differ per account and stage: stage parameters, never literals here.
  networks: {
    default: {
      subnets: param('privateSubnetIds'),
      securityGroups: param('jobSecurityGroupIds'),
      assignPublicIp: false,
    },
  },
  alerts: {
    default: { sns: true },
    reporting: { sns: true, webhookSecret: 'longshore/reporting-webhook' },
  },
  jobs: [
    {
      name: 'thumbnails',
      description: 'Renders three thumbnail sizes for every JPEG uploaded under uploads/.',
      container: {
        image: ecrImage('media/thumbnailer', { tag: '2.3.1' }),
        command: ['node', 'dist/thumbnail.js'],
        environment: { OUTPUT_BUCKET: 'acme-media-thumbnails', SIZES: '128,512,1024' },
        localCommand: ['node', 'lib/local/demo/thumbnail.mjs'],
      },
      size: { cpu: 512, memory: 1024 },
      architecture: 'ARM64',
      capacity: { type: 'fargate' },
      triggers: [
        { type: 's3', bucket: 'acme-media-uploads', prefix: 'uploads/', suffix: '.jpg' },
        { type: 's3', bucket: 'acme-media-uploads', prefix: 'uploads/', suffix: '.jpeg' },
        { type: 'manual' },
      ],
      timeout: '10m',
      maxConcurrent: 50,
      // Who may trigger it may pick the sizes to render and a bigger task; never another command.
      overrides: { environment: ['SIZES'], size: true },
      taskRole: {
        readTriggerObjects: true,
        statements: [
          { effect: 'Allow', actions: ['s3:PutObject'], resources: ['arn:aws:s3:::acme-media-thumbnails/*'] },
        ],
      },
      tags: { team: 'media', 'cost-center': 'cc-1042' },
    },
    {
      name: 'nightly-report',
      description: 'Builds the finance report every night at 02:00 Paris time and archives it on EFS.',
      container: {
        image: ecrImage('finance/reporter', { tag: '5.0.0' }),
        command: ['python', '-m', 'reporter', '--period', 'yesterday'],
        environment: { REPORT_FORMAT: 'pdf', ARCHIVE_DIR: '/mnt/archive' },
        environmentFiles: ['arn:aws:s3:::acme-config/reporter/prod.env'],
        secrets: {
          DB_PASSWORD: ssmParameter('/finance/reporting/db-password'),
          SMTP_TOKEN: secretsManager('finance/smtp-Qx7YtZ', { jsonKey: 'token', versionStage: 'AWSCURRENT' }),
        },
        stopTimeoutSeconds: 60,
        logs: { streamPrefix: 'report', retentionDays: 90 },
        localCommand: ['node', 'lib/local/demo/report.mjs'],
      },
      sidecars: [
        {
          name: 'otel-collector',
          image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1',
          essential: false,
          environment: { AOT_CONFIG_CONTENT_FILE: '/etc/otel/config.yaml' },
        },
      ],
      volumes: [
        { name: 'spool', mountPath: '/var/spool/report', containers: ['main', 'otel-collector'] },
        {
          name: 'archive',
          mountPath: '/mnt/archive',
          containers: ['main'],
          efs: {
            fileSystemId: param('archiveFileSystemId'),
            accessPointId: param('archiveAccessPointId'),
            iamAuthorization: true,
            transitEncryption: true,
          },
        },
      ],
      size: { cpu: 1024, memory: 4096, ephemeralStorageGiB: 50 },
      triggers: [
        { type: 'schedule', expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Paris', overlap: 'forbid' },
        { type: 'manual' },
      ],
      timeout: '2h',
      maxConcurrent: 1,
      // A manual run may ask for another format; its command (and so its database password) stays the job's.
      overrides: { command: false, environment: ['REPORT_FORMAT'], size: false },
      policy: {
        retries: 1,
        backoff: { base: '5m', factor: 2, cap: '30m' },
        rules: [
          {
            name: 'no-data-yet',
            match: { exitCodes: [3] },
            action: 'ignore',
            diagnosis: 'exit 3: the ledger had no postings for the period; nothing to report',
          },
        ],
      },
      alerts: 'reporting',
    },
    {
      name: 'csv-ingest',
      description: 'Loads partner CSV drops into the warehouse; cheap Spot capacity, grows memory on OOM.',
      container: {
        image: ecrImage('data/ingest', { tag: '1.12.0' }),
        command: ['java', '-jar', '/app/ingest.jar'],
        environment: { WAREHOUSE_SCHEMA: 'raw', BATCH_ROWS: '50000' },
        secrets: { WAREHOUSE_PASSWORD: secretsManager('prod/warehouse-Hn3Kd9', { jsonKey: 'password' }) },
        localCommand: ['node', 'lib/local/demo/ingest.mjs'],
      },
      size: { cpu: 1024, memory: 2048 },
      capacity: { type: 'fargate-spot', fallback: 'on-demand' },
      triggers: [{ type: 's3', bucket: 'acme-partner-drop', prefix: 'incoming/', suffix: '.csv' }, { type: 'manual' }],
      timeout: '45m',
      maxConcurrent: 3,
      // A backfill may choose the batch size and the day; the command and the warehouse password stay the job's.
      overrides: { environment: ['BATCH_ROWS', 'SOURCE_DATE'] },
      // Its last log line, {"rows":...,"table":...}, is the run's result: in Run Succeeded, and passed
      // to ingest-summary as LONGSHORE_UPSTREAM_RESULT.
      result: { lastLogLine: true },
      policy: {
        retries: 3,
        backoff: { base: '30s', factor: 2, cap: '10m' },
        memoryGrowth: 2,
        maxMemory: 8192,
        rules: [
          {
            name: 'partner-file-rejected',
            match: { exitCodes: [65] },
            action: 'fail',
            diagnosis: 'exit 65: the CSV failed schema validation; fix the file and re-upload it',
          },
          {
            name: 'warehouse-busy',
            match: { exitCodes: [75] },
            action: 'retry',
            retries: 5,
            backoff: { base: '1m', factor: 2, cap: '15m' },
          },
        ],
      },
    },
    {
      name: 'ingest-summary',
      description: 'Summarises each partner file once csv-ingest has loaded it (runs after the ingest succeeds).',
      container: {
        image: 'public.ecr.aws/docker/library/python:3.13-slim',
        command: ['python', '-m', 'summary'],
        environment: { SUMMARY_SCHEMA: 'raw' },
        localCommand: ['node', 'lib/local/demo/ingestSummary.mjs'],
      },
      size: { cpu: 256, memory: 512 },
      triggers: [{ type: 'after', job: 'csv-ingest', on: ['SUCCEEDED'] }, { type: 'manual' }],
      timeout: '15m',
      maxConcurrent: 3,
      // The object the upstream run loaded (LONGSHORE_UPSTREAM_S3_*): readTriggerObjects covers only
      // this job's own S3 triggers.
      taskRole: {
        statements: [
          { effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::acme-partner-drop/incoming/*'] },
        ],
      },
    },
    {
      name: 'order-fulfilment',
      description:
        "Packs each order once: the shop's Order Placed events, and the back office's re-sent orders on its queue.",
      container: {
        image: 'public.ecr.aws/docker/library/python:3.13-slim',
        command: ['python', '-m', 'fulfil'],
        localCommand: ['node', 'lib/local/demo/fulfilOrder.mjs'],
      },
      size: { cpu: 256, memory: 512 },
      triggers: [
        {
          // The shop's own bus; real orders only (test orders and empty carts are not packed).
          type: 'event',
          bus: 'acme-shop',
          pattern: {
            source: ['acme.shop'],
            'detail-type': ['Order Placed'],
            detail: { channel: [{ 'anything-but': 'test' }], total: [{ numeric: ['>', 0] }] },
          },
          environment: {
            ORDER_ID: '$.detail.orderId',
            ORDER_TOTAL: '$.detail.total',
            FIRST_SKU: '$.detail.items[0].sku',
          },
          // One run per order, however often the event is delivered or the shop sends it again.
          identity: '$.detail.orderId',
        },
        {
          // The back office re-sends orders it could not confirm; the queue's redrive policy keeps
          // what cannot become a run.
          type: 'sqs',
          queue: 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:acme-orders-resend',
          environment: { ORDER_ID: '$.body.orderId', ORDER_TOTAL: '$.body.total', FIRST_SKU: '$.body.items[0].sku' },
          identity: '$.body.orderId',
        },
      ],
      timeout: '15m',
      maxConcurrent: 5,
    },
  ],
});
