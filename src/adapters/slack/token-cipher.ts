import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts Slack tokens at rest: AES-256-GCM with a key derived (HKDF-SHA256) from SLACK_STATE_SECRET,
 * our own secret, so rotating the Slack client secret does not strand stored installations. The
 * associated data binds a value to its row and column: a ciphertext copied into another workspace's
 * row does not decrypt.
 */
export interface TokenCipher {
  seal(plain: string, context: string): string;
  /** Throws when the value was sealed with another key or for another row/column. */
  open(sealed: string, context: string): string;
}

const VERSION = 'v1';

export function createTokenCipher(secret: string): TokenCipher {
  if (!secret) throw new Error('token cipher: empty secret');
  const key = Buffer.from(hkdfSync('sha256', secret, 'runbook-revenant', 'slack-installation-tokens', 32));
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('token cipher: not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
