import type { ChannelAdapter } from './channel'
import { customChannel } from './custom/custom.channel'
import { emailChannel } from './email/email.channel'
import { instagramChannel } from './instagram/instagram.channel'
import { lineChannel } from './line/line.channel'
import { messengerChannel } from './messenger/messenger.channel'
import { telegramChannel } from './telegram/telegram.channel'
import { twilioSmsChannel, twilioWhatsappChannel } from './twilio/twilio.channel'
import { viberChannel } from './viber/viber.channel'
import { webchatChannel } from './webchat/webchat.channel'
import { wechatChannel } from './wechat/wechat.channel'
import { whatsappChannel } from './whatsapp/whatsapp.channel'

/** Every channel type, listed explicitly. A test checks each folder under channels/ is here. */
// biome-ignore lint/suspicious/noExplicitAny: adapters are heterogeneous; each validates its own config and secrets at the boundary.
export const CHANNELS: ChannelAdapter<any, any>[] = [
  customChannel,
  whatsappChannel,
  messengerChannel,
  instagramChannel,
  emailChannel,
  webchatChannel,
  twilioSmsChannel,
  twilioWhatsappChannel,
  telegramChannel,
  lineChannel,
  viberChannel,
  wechatChannel,
]

// biome-ignore lint/suspicious/noExplicitAny: see CHANNELS.
export function adapterFor(type: string): ChannelAdapter<any, any> | undefined {
  return CHANNELS.find((c) => c.type === type)
}
