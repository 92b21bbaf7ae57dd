import { AwsClient } from 'aws4fetch';
import type { S3Credentials, S3CredentialsProvider } from './s3-compatible-store.js';

/**
 * Fetch fresh credentials this long before the current ones expire: the AWS SDK's own margin,
 * so that a request signed just before expiry still reaches S3 in time.
 */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface Signer {
  client: AwsClient;
  /** Epoch ms after which the credentials must not sign; undefined: they never expire. */
  refreshAt: number | undefined;
}

/**
 * The aws4fetch signer of the current credentials: static ones, or those of a provider (the AWS
 * SDK's default chain, a web page's temporary credentials), fetched again before they expire.
 * Requests in flight while new credentials are fetched wait for the same fetch.
 */
export class CurrentSigner {
  private signer: Promise<Signer> | undefined;
  private readonly provide: S3CredentialsProvider;

  constructor(
    credentials: S3Credentials | S3CredentialsProvider,
    private readonly region: string,
  ) {
    this.provide = typeof credentials === 'function' ? credentials : async () => credentials;
  }

  /** The signer to use now. */
  async get(): Promise<AwsClient> {
    if (this.signer === undefined) return (await this.refresh()).client;
    const pending = this.signer;
    const current = await pending;
    // Real time, not the store's clock: the expiry is the issuer's, as for the SDK.
    if (current.refreshAt === undefined || Date.now() < current.refreshAt) return current.client;
    // Another request may have started the refresh (or seen it fail) while this one waited.
    const next =
      this.signer === pending || this.signer === undefined ? this.refresh() : this.signer;
    return (await next).client;
  }

  private refresh(): Promise<Signer> {
    const next = this.fetchSigner();
    this.signer = next;
    // A failed fetch is not kept: the next request asks the provider again.
    next.catch(() => {
      if (this.signer === next) this.signer = undefined;
    });
    return next;
  }

  private async fetchSigner(): Promise<Signer> {
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = await this.provide();
    // aws4fetch's own retries are off: BaseStore retries, counting every attempt.
    const client = new AwsClient({
      accessKeyId,
      secretAccessKey,
      sessionToken,
      service: 's3',
      region: this.region,
      retries: 0,
    });
    return { client, refreshAt: expiration && expiration.getTime() - REFRESH_MARGIN_MS };
  }
}
