// The cluster's small PKI: a CA, certificates it issues (agents' server certs, the controller's
// client cert) and the agent's self-signed bootstrap certificate. ECDSA P-256 keys: fast to make
// and accepted by node:tls. Keys are PKCS#8 PEM ("BEGIN PRIVATE KEY").
import * as x509 from '@peculiar/x509';
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** The CN of the controller's client certificate; agents accept mutual-TLS calls only from it. */
export const CONTROLLER_CERT_CN = 'grappe-controller';

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export type CertUsage = 'server' | 'client' | 'both';

export interface IssueOptions {
  commonName: string;
  ipAddresses?: string[];
  dnsNames?: string[];
  usage: CertUsage;
  days?: number;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
// Tolerate a little clock skew between the controller and the hosts.
const BACKDATE_MS = 5 * 60_000;

const subtle = webcrypto.subtle;

const newKeys = (): Promise<CryptoKeyPair> => subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

// Positive, non-zero 128-bit serial (high bit cleared so DER does not read it as negative).
const newSerial = (): string => {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
};

const nameOf = (commonName: string): x509.JsonName => [{ CN: [commonName] }];

const validity = (days: number): { notBefore: Date; notAfter: Date } => {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
};

const exportKeyPem = async (key: CryptoKey): Promise<string> => {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
};

// Accepts any PEM private key node can read (PKCS#8 or SEC1) and hands it to WebCrypto as PKCS#8.
const importSigningKey = (keyPem: string): Promise<CryptoKey> => {
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return subtle.importKey('pkcs8', der, ALG, false, ['sign']);
};

const sanExtension = (ipAddresses: string[], dnsNames: string[]): x509.Extension[] => {
  const names: x509.JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  return names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [];
};

const EXT_USAGES: Record<CertUsage, string[]> = {
  server: [x509.ExtendedKeyUsage.serverAuth],
  client: [x509.ExtendedKeyUsage.clientAuth],
  both: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
};

/** A self-signed certificate with a fresh key pair, valid 10 years. */
async function createSelfSigned(commonName: string, extensions: (keys: CryptoKeyPair) => Promise<x509.Extension[]>): Promise<CertAndKey> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: nameOf(commonName),
    ...validity(3650),
    signingAlgorithm: ALG,
    keys,
    extensions: await extensions(keys),
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** A new cluster CA, valid 10 years. */
export function createCa(commonName: string): Promise<CertAndKey> {
  return createSelfSigned(commonName, async (keys) => [
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ]);
}

/** A leaf certificate signed by `ca` (default validity: 5 years). */
export async function issueCert(ca: CertAndKey, opts: IssueOptions): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const signingKey = await importSigningKey(ca.keyPem);
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: newSerial(),
    subject: nameOf(opts.commonName),
    issuer: caCert.subject,
    ...validity(opts.days ?? 1825),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension(EXT_USAGES[opts.usage]),
      ...sanExtension(opts.ipAddresses ?? [], opts.dnsNames ?? []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** A self-signed server certificate: the agent's identity before it joins a cluster. */
export function selfSigned(commonName: string, ipAddresses: string[] = []): Promise<CertAndKey> {
  return createSelfSigned(commonName, async () => [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension(EXT_USAGES.server),
    ...sanExtension(ipAddresses, []),
  ]);
}

/** SHA-256 fingerprint as openssl prints it: upper-case hex pairs joined by colons. */
export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** The subject CN of a certificate, or undefined when it has none. */
export function commonNameOf(certPem: string): string | undefined {
  const m = /^CN=(.*)$/m.exec(new X509Certificate(certPem).subject);
  return m?.[1];
}

/** True when `certPem` was signed by the CA `caCertPem` (signature and issuer name both match). */
export function isIssuedBy(certPem: string, caCertPem: string): boolean {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caCertPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** When a PEM certificate stops being valid, as an ISO date. */
export const certificateNotAfter = (certPem: string): string => new Date(new X509Certificate(certPem).validTo).toISOString();
