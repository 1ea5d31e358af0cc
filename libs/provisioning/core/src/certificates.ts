import { X509Certificate } from 'node:crypto';
import { ValidationError } from '@provisioning/errors';

/** What the API shows of a certificate: never more than public facts. */
export interface CertificateInfo {
  pem: string;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * Accepts a PEM certificate, or base64 of a PEM (as WSO2's API sends it), and returns its parsed facts.
 * Anything else is a ValidationError saying which entry and why.
 */
export function parseCertificate(input: string, index = 0): CertificateInfo {
  const trimmed = input.trim();
  let pem = trimmed;
  if (!trimmed.startsWith('-----BEGIN')) {
    const decoded = /^[A-Za-z0-9+/=\s_-]+$/.test(trimmed) ? Buffer.from(trimmed, 'base64').toString('utf8') : '';
    if (!decoded.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ValidationError(`certificate.certificates[${index}] is neither a PEM certificate nor base64 of one`, {
        code: 'IDP-60010',
        description: 'Upload the identity provider\'s public certificate in PEM form ("-----BEGIN CERTIFICATE-----...") or base64 of that PEM.',
      });
    }
    pem = decoded.trim();
  }
  const match = PEM_RE.exec(pem);
  if (!match) {
    throw new ValidationError(`certificate.certificates[${index}] has no complete PEM block`, { code: 'IDP-60010' });
  }
  try {
    const cert = new X509Certificate(match[0]);
    return {
      pem: match[0],
      subject: cert.subject,
      issuer: cert.issuer,
      validFrom: cert.validFrom,
      validTo: cert.validTo,
      fingerprint256: cert.fingerprint256,
    };
  } catch (error) {
    throw new ValidationError(`certificate.certificates[${index}] is not a valid X.509 certificate: ${(error as Error).message}`, {
      code: 'IDP-60010',
      cause: error,
    });
  }
}
