import { startCustomSimulator } from './custom/custom.simulator'
import { startEmailSimulator } from './email/email.simulator'
import { startGoogleSimulator } from './google/google.simulator'
import { startLineSimulator } from './line/line.simulator'
import { metaSimulatorFactory } from './meta/meta-simulator'
import { startMetaCapiSimulator } from './meta-capi/capi.simulator'
import type { SimulatorFactory } from './simulator'
import { startTelegramSimulator } from './telegram/telegram.simulator'
import { startTiktokSimulator } from './tiktok/tiktok.simulator'
import { startTwilioSimulator } from './twilio/twilio.simulator'
import { startViberSimulator } from './viber/viber.simulator'
import { startWechatSimulator } from './wechat/wechat.simulator'

/** Every provider simulator, listed explicitly (channel folders add theirs). */
export const SIMULATORS: Record<string, SimulatorFactory> = {
  /** Graph API: WhatsApp Cloud API, Messenger and Instagram messaging. */
  meta: metaSimulatorFactory,
  /** respond.io Custom Channel integration server: destination URL = <url>/message. */
  custom: (opts) => startCustomSimulator({ ...opts, receipts: true }),
  /** SMTP peer for outbound mail and an IMAP mailbox to poll (inbound SMTP goes to our own listener). */
  email: (opts) => startEmailSimulator(opts),
  twilio: (o) => startTwilioSimulator(o),
  telegram: (o) => startTelegramSimulator(o),
  line: (o) => startLineSimulator(o),
  viber: (o) => startViberSimulator(o),
  wechat: (o) => startWechatSimulator(o),
  /** Workflows: Google OAuth 2.0 (service accounts) and Sheets API v4 values.append. */
  google: (o) => startGoogleSimulator(o),
  /** Workflows: Meta Conversions API for business messaging. */
  'meta-capi': (o) => startMetaCapiSimulator(o),
  /** Workflows: TikTok Events API 2.0. */
  tiktok: (o) => startTiktokSimulator(o),
}
