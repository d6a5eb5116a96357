import type { XmlElement } from '@poort/xml';
import { elementChildren, isElement, textOnly } from './dom.js';
import { WsSecurityError } from './errors.js';
import { NS } from './namespaces.js';
import type { WsSecurityPolicy } from './policy.js';

export interface MessageTimes {
  created: Date;
  expires?: Date;
}

// xs:dateTime in UTC (WB002 / BSP R3217): the 'Z' designator is required.
const UTC_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/;

/**
 * Reads wsu:Timestamp (wsu:Created, then optionally wsu:Expires, nothing else) and checks it against `now`:
 * Created in [now - maxMessageAge - skew, now + skew]; Expires after Created and after now - skew.
 */
export function checkTimestamp(timestamp: XmlElement, policy: WsSecurityPolicy, now: Date): MessageTimes {
  const children = elementChildren(timestamp, 'WSS_TIMESTAMP');
  const [createdElement, expiresElement] = children;
  if (!isElement(createdElement, NS.wsu, 'Created')) throw new WsSecurityError('WSS_TIMESTAMP', 'wsu:Timestamp must start with wsu:Created');
  if (children.length > 2 || (expiresElement !== undefined && !isElement(expiresElement, NS.wsu, 'Expires'))) {
    throw new WsSecurityError('WSS_TIMESTAMP', 'wsu:Timestamp may hold only wsu:Created and an optional wsu:Expires');
  }
  const created = parseUtcDateTime(textOnly(createdElement, 'WSS_TIMESTAMP'), 'wsu:Created');
  const expires = expiresElement === undefined ? undefined : parseUtcDateTime(textOnly(expiresElement, 'WSS_TIMESTAMP'), 'wsu:Expires');

  const nowMs = now.getTime();
  if (created.getTime() > nowMs + policy.clockSkewMs) {
    throw new WsSecurityError('WSS_TIMESTAMP_FUTURE', `wsu:Created ${created.toISOString()} lies in the future`);
  }
  if (created.getTime() < nowMs - policy.maxMessageAgeMs - policy.clockSkewMs) {
    throw new WsSecurityError('WSS_TIMESTAMP_STALE', `wsu:Created ${created.toISOString()} is too old`);
  }
  if (expires !== undefined) {
    if (expires.getTime() <= created.getTime()) throw new WsSecurityError('WSS_TIMESTAMP', 'wsu:Expires is not after wsu:Created');
    if (expires.getTime() <= nowMs - policy.clockSkewMs) {
      throw new WsSecurityError('WSS_TIMESTAMP_STALE', `The message expired at ${expires.toISOString()}`);
    }
  }
  return expires === undefined ? { created } : { created, expires };
}

export function parseUtcDateTime(text: string, what: string): Date {
  const match = UTC_DATE_TIME.exec(text.trim());
  if (match === null) throw new WsSecurityError('WSS_TIMESTAMP', `${what} ${JSON.stringify(text)} is not an xs:dateTime in UTC (…Z)`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day
    || date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second) {
    throw new WsSecurityError('WSS_TIMESTAMP', `${what} ${JSON.stringify(text)} is not a valid date and time`);
  }
  return date;
}
