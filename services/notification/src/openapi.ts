import { clientIdentityProviders } from '@poort/nest-edge';
import { unusedInDocument, type OpenApiDescription } from '@poort/nest-kit';

import { StatusInformationService } from './status/status-information.service.js';
import { StatusController } from './status/status.controller.js';

/** Notification's REST API (docs/openapi/notification.json, served at OPENAPI_PATH). */
export const NOTIFICATION_OPENAPI: OpenApiDescription = {
  title: 'Poort notification',
  description: "Statuses and retour afzender over REST: Digipoort's statusinformatieservice as JSON over two-way TLS.",
  version: '1',
  controllers: [StatusController],
  providers: [unusedInDocument(StatusInformationService), ...clientIdentityProviders({ mode: 'mtls' })],
};
