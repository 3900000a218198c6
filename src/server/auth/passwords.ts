import { hash, verify } from '@node-rs/argon2'
import { z } from 'zod'
import { ValidationError } from '../errors'

/**
 * argon2id with OWASP's recommended minimum (19 MiB, t=2, p=1), written out so a library
 * default change can never silently weaken stored hashes.
 */
export const ARGON2_PARAMS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot read)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

/** A hash of a random string, so unknown emails cost as much time as wrong passwords. */
let dummyHash: Promise<string> | undefined
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('tawasul-timing-equaliser-9f8e7d')
  await verifyPassword(await dummyHash, password)
}

const COMMON = new Set([
  'password123',
  'password1234',
  'password12345',
  'passw0rd123',
  '1234567890',
  '12345678910',
  '123456789a',
  '0987654321',
  'qwertyuiop',
  'qwerty1234',
  'qwerty12345',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'iloveyou123',
  'administrator',
  'letmein123',
  'welcome123',
  'welcome1234',
  'changeme123',
  'abcdefghij',
  'abc1234567',
  'football123',
  'monkey12345',
  'superman123',
  'trustno1234',
  'sunshine123',
  'princess123',
  'aaaaaaaaaa',
  'tawasul123',
  'tawasul1234',
])

export const passwordSchema = z
  .string()
  .min(10, 'Password must be at least 10 characters.')
  .max(128, 'Password must be at most 128 characters.')
  .refine((p) => !COMMON.has(p.toLowerCase()), 'This password is too common; choose another.')
  .refine((p) => new Set(p).size >= 5, 'Password must use at least 5 different characters.')

/** The one check that needs more than the password: it must not contain the email's name part. */
export function assertPasswordAllowed(password: string, email: string): void {
  const local = email.split('@')[0]?.toLowerCase() ?? ''
  if (local.length >= 4 && password.toLowerCase().includes(local)) {
    const message = 'Password must not contain your email name.'
    throw new ValidationError(message, [{ path: 'password', message }])
  }
}
