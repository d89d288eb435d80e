import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { CONTROLLER_CERT_CN, commonNameOf, createCa, fingerprint, isIssuedBy, issueCert, selfSigned } from './pki.ts';

// Mutual-TLS handshake over loopback: resolves with what each side saw.
async function handshake(
  server: tls.TlsOptions,
  client: tls.ConnectionOptions,
): Promise<{ serverAuthorized: boolean; peerCn: string | undefined; clientAuthorized: boolean; clientError: string | undefined }> {
  let resolveServerSide!: (v: { authorized: boolean; cn: string | undefined }) => void;
  const serverSide = new Promise<{ authorized: boolean; cn: string | undefined }>((r) => (resolveServerSide = r));
  const srv = tls.createServer({ ...server, requestCert: true, rejectUnauthorized: false }, (sock) => {
    resolveServerSide({ authorized: sock.authorized, cn: sock.getPeerCertificate().subject?.CN });
    sock.end('ok');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  try {
    const clientResult = await new Promise<{ authorized: boolean; error: string | undefined }>((resolve, reject) => {
      const sock = tls.connect({ ...client, host: '127.0.0.1', port }, () => {
        resolve({ authorized: sock.authorized, error: sock.authorizationError?.toString() });
        sock.end();
      });
      sock.on('error', reject);
    });
    const s = await serverSide;
    return { serverAuthorized: s.authorized, peerCn: s.cn, clientAuthorized: clientResult.authorized, clientError: clientResult.error };
  } finally {
    srv.close();
  }
}

test('CA issues server and client certificates that complete a mutual-TLS handshake', async () => {
  const ca = await createCa('grappe test CA');
  const server = await issueCert(ca, { commonName: 'host-1', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const client = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
  assert.match(server.keyPem, /^-----BEGIN PRIVATE KEY-----/);

  const r = await handshake(
    { cert: server.certPem, key: server.keyPem, ca: ca.certPem },
    { cert: client.certPem, key: client.keyPem, ca: ca.certPem, checkServerIdentity: () => undefined },
  );
  assert.equal(r.clientAuthorized, true, `client rejected server: ${r.clientError}`);
  assert.equal(r.serverAuthorized, true);
  assert.equal(r.peerCn, CONTROLLER_CERT_CN);
});

test('a certificate from another CA is not authorized', async () => {
  const ca = await createCa('cluster A');
  const other = await createCa('cluster B');
  const server = await issueCert(ca, { commonName: 'host-1', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const stranger = await issueCert(other, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
  const r = await handshake(
    { cert: server.certPem, key: server.keyPem, ca: ca.certPem },
    { cert: stranger.certPem, key: stranger.keyPem, ca: other.certPem, rejectUnauthorized: false },
  );
  assert.equal(r.serverAuthorized, false);
  assert.equal(r.clientAuthorized, false); // the client does not trust cluster A either
});

test('issued certificates carry SANs, usages and chain to the CA', async () => {
  const ca = await createCa('grappe test CA');
  const leaf = await issueCert(ca, { commonName: 'h', ipAddresses: ['198.18.0.11'], dnsNames: ['h.example'], usage: 'both', days: 2 });
  const cert = new X509Certificate(leaf.certPem);
  assert.match(cert.subjectAltName ?? '', /DNS:h\.example/);
  assert.match(cert.subjectAltName ?? '', /IP Address:198\.18\.0\.11/);
  assert.deepEqual(cert.keyUsage?.slice().sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  assert.equal(cert.ca, false);
  assert.equal(new X509Certificate(ca.certPem).ca, true);
  assert.ok(new Date(cert.validTo).getTime() - Date.now() < 3 * 86_400_000);
  assert.equal(isIssuedBy(leaf.certPem, ca.certPem), true);
  assert.equal(isIssuedBy(leaf.certPem, (await createCa('other')).certPem), false);
  assert.equal(commonNameOf(leaf.certPem), 'h');
});

test('self-signed bootstrap certificate works as a TLS server cert; fingerprint is openssl-style', async () => {
  const boot = await selfSigned('grappe-agent bootstrap', ['127.0.0.1']);
  const r = await handshake({ cert: boot.certPem, key: boot.keyPem }, { rejectUnauthorized: false });
  assert.equal(r.clientAuthorized, false);
  const fp = fingerprint(boot.certPem);
  assert.match(fp, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(fp, fingerprint(boot.certPem));
  assert.notEqual(fp, fingerprint((await selfSigned('x')).certPem));
});
