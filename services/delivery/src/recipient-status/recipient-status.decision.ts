import { Refusal, STATUS, type Foutmelding } from '@poort/contracts';

import type { DeliveryState } from '../delivery/deliveries.repository.js';

/** What a recipient reports with zetStatus (WUS) or its REST twin: its own processing result for one message. */
export interface RecipientStatusReport {
  readonly kenmerk: string;
  /** Accepted and not checked: Poort's deliveries carry the kenmerk, which is what identifies the message. */
  readonly berichtkenmerk?: string;
  readonly statuscode: string;
  readonly tijdstempelStatus: Date;
  readonly statusFoutcode?: Foutmelding;
  readonly statusdetails?: string;
}

export type RecipientStatusCode = typeof STATUS.verwerktDoorOntvanger | typeof STATUS.geweigerdDoorOntvanger;

/** The status a recipient reported for its delivery before. */
export interface ReportedStatus {
  readonly statuscode: RecipientStatusCode;
  readonly foutcode: string | undefined;
}

/** One delivery of the message, as the decision needs it. */
export interface DeliveryOfMessage {
  readonly recipientId: string;
  /** The OIN of the recipient's profile; undefined when the recipient is no longer configured. */
  readonly recipientOin: string | undefined;
  readonly state: DeliveryState;
  readonly reported: ReportedStatus | undefined;
}

/**
 * Poort's codes for a refused recipient status (at most 20 characters: the koppelvlak's foutcodeType). Texts are
 * English, as Poort's own codes' are (refusal.ts).
 */
export const ZETSTATUS_CODE = {
  badCode: 'ZETSTATUS_BAD_CODE',
  foutMissing: 'ZETSTATUS_NO_FOUT',
  foutUnexpected: 'ZETSTATUS_FOUT_EXTRA',
  badTime: 'ZETSTATUS_BAD_TIME',
  tooLarge: 'ZETSTATUS_TOO_LARGE',
  unknown: 'ZETSTATUS_UNKNOWN',
  forbidden: 'ZETSTATUS_FORBIDDEN',
  notDelivered: 'ZETSTATUS_NOT_DELIV',
  conflict: 'ZETSTATUS_CONFLICT',
} as const;

/** How far a recipient's clock may be off Poort's before its tijdstempelStatus is refused. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The texts of one report together (foutbeschrijving and statusdetails, UTF-8). The XSD allows 1 MiB each, but the
 * status travels as one Kafka event (the broker's default limit is 1 MB) and is read in every status list: a
 * recipient's explanation fits well below this.
 */
export const MAX_REPORT_TEXT_BYTES = 256 * 1024;

const RECIPIENT_CODES: readonly string[] = [STATUS.verwerktDoorOntvanger, STATUS.geweigerdDoorOntvanger];

/**
 * What can be said of a report without the message: a recipient sets 500 (verwerkt) or 510 (geweigerd, which needs
 * its foutcode) and nothing else; 500 carries no foutcode; its texts are not too long; its time is not in the future.
 */
export function checkReport(report: RecipientStatusReport, now: Date): RecipientStatusCode {
  if (!RECIPIENT_CODES.includes(report.statuscode)) {
    throw new Refusal(ZETSTATUS_CODE.badCode, 'invalid', `a recipient sets status 500 or 510, not ${JSON.stringify(report.statuscode.slice(0, 20))}`);
  }
  const code = report.statuscode as RecipientStatusCode;
  if (code === STATUS.geweigerdDoorOntvanger && report.statusFoutcode === undefined) {
    throw new Refusal(ZETSTATUS_CODE.foutMissing, 'invalid', 'status 510 needs a statusFoutcode (foutcode and foutbeschrijving)');
  }
  if (code === STATUS.verwerktDoorOntvanger && report.statusFoutcode !== undefined) {
    throw new Refusal(ZETSTATUS_CODE.foutUnexpected, 'invalid', 'status 500 means processed: it carries no statusFoutcode');
  }
  const textBytes = Buffer.byteLength(report.statusFoutcode?.foutbeschrijving ?? '') + Buffer.byteLength(report.statusdetails ?? '');
  if (textBytes > MAX_REPORT_TEXT_BYTES) {
    throw new Refusal(ZETSTATUS_CODE.tooLarge, 'too-large', `foutbeschrijving and statusdetails together are ${textBytes} bytes; at most ${MAX_REPORT_TEXT_BYTES}`);
  }
  const at = report.tijdstempelStatus.getTime();
  if (Number.isNaN(at) || at > now.getTime() + CLOCK_SKEW_MS) {
    throw new Refusal(ZETSTATUS_CODE.badTime, 'invalid', `tijdstempelStatus ${timestamp(report.tijdstempelStatus)} lies in the future`);
  }
  return code;
}

/** What to do with a report: record it for these deliveries (recipient ids); none when it was reported before. */
export interface RecipientStatusDecision {
  readonly code: RecipientStatusCode;
  readonly record: readonly string[];
}

/**
 * Whether the caller may set this status, and for which of the message's deliveries. Only a recipient the message was
 * delivered to may (its profile's OIN is the caller's certificate's OIN, and the delivery's state is 'delivered':
 * for a pull recipient that is when it fetched the message). With two recipients each reports its own. The same
 * report again (same code and foutcode) is answered as before and records nothing; a different one after it is
 * refused: a recipient's result is final, as 500 and 510 are.
 */
export function decideRecipientStatus(
  report: RecipientStatusReport,
  callerOin: string,
  message: { readonly tijdstempelAangeleverd: Date; readonly deliveries: readonly DeliveryOfMessage[] } | undefined,
  now: Date,
): RecipientStatusDecision {
  const code = checkReport(report, now);
  if (message === undefined || message.deliveries.length === 0) {
    throw new Refusal(ZETSTATUS_CODE.unknown, 'not-found', `no message ${report.kenmerk} was delivered by Poort`);
  }
  const own = message.deliveries.filter((delivery) => delivery.recipientOin === callerOin);
  if (own.length === 0) {
    throw new Refusal(ZETSTATUS_CODE.forbidden, 'forbidden', `message ${report.kenmerk} was not addressed to OIN ${callerOin}: only its recipient sets its status`);
  }
  const delivered = own.filter((delivery) => delivery.state === 'delivered');
  if (delivered.length === 0) {
    throw new Refusal(ZETSTATUS_CODE.notDelivered, 'conflict', `message ${report.kenmerk} has not been delivered to OIN ${callerOin} (${own.map((d) => d.state).join(', ')})`);
  }
  if (report.tijdstempelStatus.getTime() < message.tijdstempelAangeleverd.getTime() - CLOCK_SKEW_MS) {
    throw new Refusal(
      ZETSTATUS_CODE.badTime,
      'invalid',
      `tijdstempelStatus ${timestamp(report.tijdstempelStatus)} lies before the message was submitted (${timestamp(message.tijdstempelAangeleverd)})`,
    );
  }
  const foutcode = report.statusFoutcode?.foutcode;
  const earlier = delivered.find((delivery) => delivery.reported !== undefined && (delivery.reported.statuscode !== code || delivery.reported.foutcode !== foutcode));
  if (earlier?.reported) {
    const was = [earlier.reported.statuscode, earlier.reported.foutcode].filter(Boolean).join(' ');
    throw new Refusal(ZETSTATUS_CODE.conflict, 'conflict', `the recipient reported status ${was} for message ${report.kenmerk} already; a recipient's status is final`, {
      statuscode: earlier.reported.statuscode,
      ...(earlier.reported.foutcode === undefined ? {} : { foutcode: earlier.reported.foutcode }),
    });
  }
  return { code, record: delivered.filter((delivery) => delivery.reported === undefined).map((delivery) => delivery.recipientId) };
}

const timestamp = (date: Date) => (Number.isNaN(date.getTime()) ? 'invalid' : date.toISOString());
