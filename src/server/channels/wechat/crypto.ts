import { createDecipheriv, createHash } from 'node:crypto'
import { ValidationError } from '../../errors'

/**
 * WeChat's signatures and "safe mode" message encryption
 * (https://developers.weixin.qq.com/doc/offiaccount/en/Basic_Information/Access_Overview.html,
 * https://developers.weixin.qq.com/doc/offiaccount/en/Message_Management/Message_encryption_and_decryption_instructions.html):
 * signature = sha1 of the lexically sorted strings concatenated; the AES key is
 * base64(EncodingAESKey + "="), AES-256-CBC with the key's first 16 bytes as IV, PKCS#7 padding
 * to 32 bytes, plaintext = 16 random bytes + 4-byte big-endian length + message + AppID.
 */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex')
}

const keyOf = (encodingAESKey: string) => {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64')
  if (key.length !== 32) throw new ValidationError('EncodingAESKey must be 43 characters.')
  return key
}

export function wechatDecrypt(encodingAESKey: string, encrypted: string): { xml: string; appId: string } {
  const key = keyOf(encodingAESKey)
  let plain: Buffer
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
    decipher.setAutoPadding(false)
    plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()])
  } catch {
    throw new ValidationError('The encrypted WeChat message could not be decrypted.')
  }
  const pad = plain[plain.length - 1] ?? 0
  if (pad < 1 || pad > 32 || plain.length < 20 + pad)
    throw new ValidationError('Bad padding in the encrypted WeChat message.')
  const content = plain.subarray(16, plain.length - pad)
  const length = content.readUInt32BE(0)
  if (4 + length > content.length) throw new ValidationError('Bad length in the encrypted WeChat message.')
  return {
    xml: content.subarray(4, 4 + length).toString('utf8'),
    appId: content.subarray(4 + length).toString('utf8'),
  }
}
