import { Module, type DynamicModule } from '@nestjs/common';
import { MessageCatalog } from '@poort/message-types';
import { clientIdentityProviders, wusEndpoint, type ClientIdentitySource } from '@poort/nest-edge';
import { PlatformModule, messageCatalogProvider, platformOptionsFromEnv, poolBacked } from '@poort/nest-kit';
import { PayloadStore } from '@poort/payload-store';
import { UnitOfWork } from '@poort/pipeline';
import { AFLEVERSTATUS_SERVICE, OPHAAL_SERVICE } from '@poort/wus';

import { filesBaseUrl, type DeliveryConfig } from './config.js';
import { AfleverWsdlController, WUS_PUBLIC_URL } from './delivery/aflever-wsdl.controller.js';
import { PullMailboxChannel } from './delivery/channels/pull-mailbox.js';
import { RestPushChannel } from './delivery/channels/rest-push.js';
import { WusAfleverChannel } from './delivery/channels/wus-aflever.js';
import { wusAfleverSettings } from './delivery/channels/wus-aflever-settings.js';
import { DELIVERY_CHANNELS, type DeliveryChannel } from './delivery/channels/delivery-channel.js';
import { DeliveriesRepository } from './delivery/deliveries.repository.js';
import { DeliveryCredentials, deliveryCredentialSettings } from './delivery/delivery-credentials.js';
import { DeliveryConsumer } from './delivery/delivery.consumer.js';
import { DeliveryMetrics } from './delivery/delivery.metrics.js';
import { DELIVERY_WORKER_SETTINGS, DeliveryWorker } from './delivery/delivery.worker.js';
import { FileAccess } from './files/file-access.js';
import { FilesController } from './files/files.controller.js';
import { LargeContentNotices } from './files/large-content.js';
import { MailboxEncryption } from './mailbox/mailbox-encryption.js';
import { MAILBOX_SWEEPER_SETTINGS, MailboxSweeper } from './mailbox/mailbox-sweeper.js';
import { MailboxController } from './mailbox/mailbox.controller.js';
import { MailboxRepository } from './mailbox/mailbox.repository.js';
import { MailboxService } from './mailbox/mailbox.service.js';
import { ophaalHandlers } from './mailbox/ophaal.wus-handlers.js';

import { MAX_RECIPIENT_STATUS_BYTES, RecipientStatusController } from './recipient-status/recipient-status.controller.js';
import { RecipientStatusMetrics } from './recipient-status/recipient-status.metrics.js';
import { RecipientStatusService } from './recipient-status/recipient-status.service.js';
import { afleverstatusHandlers } from './recipient-status/recipient-status.wus-handlers.js';
import { RecipientStatusesRepository } from './recipient-status/recipient-statuses.repository.js';

/** OphaalService requests are small (no content comes in); a request beyond this is refused before it is parsed. */
const MAX_OPHAAL_REQUEST_BYTES = 1024 * 1024;

@Module({})
export class AppModule {
  static forRoot(config: DeliveryConfig, identitySource: ClientIdentitySource): DynamicModule {
    const ophaal = wusEndpoint({
      service: OPHAAL_SERVICE,
      config,
      maxRequestBytes: MAX_OPHAAL_REQUEST_BYTES,
      handlers: { inject: [MailboxService], useFactory: ophaalHandlers },
    });
    // Recipients report their own statuses (zetStatus) here: over WUS and REST.
    const afleverstatus = wusEndpoint({
      service: AFLEVERSTATUS_SERVICE,
      config,
      maxRequestBytes: MAX_RECIPIENT_STATUS_BYTES,
      handlers: { inject: [RecipientStatusService], useFactory: afleverstatusHandlers },
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forService(platformOptionsFromEnv('delivery', config))],
      controllers: [AfleverWsdlController, MailboxController, FilesController, RecipientStatusController, ...(ophaal ? [ophaal.controller] : []), ...(afleverstatus ? [afleverstatus.controller] : [])],
      providers: [
        ...clientIdentityProviders(identitySource),
        messageCatalogProvider(config.POORT_CONFIG_DIR),
        { provide: DELIVERY_WORKER_SETTINGS, useValue: {
            pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
            concurrency: config.DELIVERY_CONCURRENCY,
            circuit: {
              failureThreshold: config.DELIVERY_CIRCUIT_FAILURES,
              openMs: config.DELIVERY_CIRCUIT_OPEN_MS,
              maxOpenMs: config.DELIVERY_CIRCUIT_MAX_OPEN_MS,
            },
          },
        },
        { provide: WUS_PUBLIC_URL, useValue: config.WUS_PUBLIC_URL },
        {
          provide: LargeContentNotices,
          useValue: new LargeContentNotices({
            inlineMaxBytes: config.DELIVERY_INLINE_MAX_BYTES,
            retentionMs: config.DELIVERY_FILES_RETENTION_MS,
            baseUrl: filesBaseUrl(config),
          }),
        },
        {
          provide: FileAccess,
          inject: [DeliveriesRepository, MessageCatalog, LargeContentNotices],
          useFactory: (...dependencies: ConstructorParameters<typeof FileAccess>) => new FileAccess(...dependencies),
        },
        {
          provide: DeliveryCredentials,
          inject: [MessageCatalog],
          useFactory: (catalog: MessageCatalog) => DeliveryCredentials.load(deliveryCredentialSettings(config), catalog.recipients),
        },
        {
          provide: DELIVERY_CHANNELS,
          inject: [DeliveryCredentials, MessageCatalog, MailboxRepository],
          useFactory: (credentials: DeliveryCredentials, catalog: MessageCatalog, mailbox: MailboxRepository): ReadonlyMap<string, DeliveryChannel> =>
            new Map(
              [
                new RestPushChannel(credentials, catalog.recipients),
                new WusAfleverChannel(catalog.recipients, credentials, wusAfleverSettings(config)),
                new PullMailboxChannel(mailbox),
              ].map((channel) => [channel.name, channel]),
            ),
        },
        poolBacked(DeliveriesRepository),
        poolBacked(PayloadStore),
        poolBacked(MailboxRepository),
        {
          provide: MailboxEncryption,
          inject: [DeliveryCredentials, MessageCatalog],
          useFactory: (credentials: DeliveryCredentials, catalog: MessageCatalog) => new MailboxEncryption(credentials, catalog.recipients),
        },
        {
          provide: MailboxService,
          inject: [UnitOfWork, MailboxRepository, DeliveriesRepository, MessageCatalog, PayloadStore, MailboxEncryption, LargeContentNotices],
          useFactory: (...dependencies: ConstructorParameters<typeof MailboxService>) => new MailboxService(...dependencies),
        },
        { provide: MAILBOX_SWEEPER_SETTINGS, useValue: { retentionMs: config.DELIVERY_MAILBOX_RETENTION_MS } },
        MailboxSweeper,
        DeliveryMetrics,
        DeliveryWorker,
        DeliveryConsumer,
        RecipientStatusesRepository,
        RecipientStatusMetrics,
        RecipientStatusService,
        ...(ophaal?.providers ?? []),
        ...(afleverstatus?.providers ?? []),
      ],
    };
  }
}
