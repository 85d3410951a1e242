// An independent check of LearnProfile's credentials: Digital Bazaar's libraries verify them.
//
// Usage: node verify.mjs [input.json]   (stdin when no file is given)
// Input:  {"documents": {url: json, ...}, "credentials": [credential, ...], "now": "<ISO>"}
// Output: one JSON line, {"results": [{"id", "verdict", "errors": [...]}, ...]}, in the order
//         of the credentials. Verdicts: valid, revoked, expired, not_yet_valid, invalid,
//         cannot_confirm (the proof holds but the status list cannot be read or verified).
//
// The document loader serves only the given documents (contexts, the issuer's DID document,
// each verification method by its id, status list credentials) plus the Multikey context,
// which the project does not ship, from @digitalbazaar/multikey-context; every other URL is
// refused: nothing is fetched.
//
// The verdict follows the same precedence as credentials/verify.py: a credential whose proof
// fails is invalid whatever else is wrong; then revoked; then outside its validity window.
// @digitalbazaar/vc checks the window before the proof, so a credential it finds outside the
// window is verified again at its validFrom (or just before its validUntil), and called expired
// or not_yet_valid only when everything else holds.

import {readFile} from 'node:fs/promises';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import multikeyContext from '@digitalbazaar/multikey-context';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const EXPIRED = /is after "validUntil"/;
const NOT_YET_VALID = /is before "validFrom"/;

function loaderFor(documents) {
  const known = new Map(multikeyContext.contexts);
  for(const [url, document] of Object.entries(documents)) {
    known.set(url, document);
  }
  return async url => {
    if(!known.has(url)) {
      throw new Error(
        `Refused to load "${url}": only the given documents are served (no network).`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(known.get(url))};
  };
}

// Every message of an error, its sub-errors (jsonld-signatures' VerificationError) and causes.
function messages(error, found = []) {
  if(!error || found.length > 50) {
    return found;
  }
  if(Array.isArray(error)) {
    error.forEach(item => messages(item, found));
    return found;
  }
  if(Array.isArray(error.errors) && error.errors.length) {
    messages(error.errors, found);
  } else if(error.message && !found.includes(error.message)) {
    found.push(error.message);
  }
  return messages(error.cause, found);
}

function resultErrors(result) {
  const errors = [];
  messages(result.error, errors);
  for(const item of result.results || []) {
    messages(item.error, errors);
  }
  if(result.statusResult) {
    messages(result.statusResult.error, errors);
  }
  return errors;
}

function isRevoked(statusResult) {
  return (statusResult?.results || []).some(
    item => item.status === true && item.credentialStatus?.statusPurpose === 'revocation');
}

async function verifyAt(credential, {documentLoader, now}) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  return vc.verifyCredential({credential, suite, documentLoader, checkStatus, now});
}

// A time inside the credential's validity window, to check everything but the window.
function insideWindow(credential) {
  if(credential.validFrom) {
    return new Date(credential.validFrom);
  }
  if(credential.validUntil) {
    return new Date(new Date(credential.validUntil).getTime() - 1000);
  }
  return undefined;
}

async function judge(credential, {documentLoader, now}) {
  const id = credential && typeof credential === 'object' ? credential.id ?? null : null;
  const result = await verifyAt(credential, {documentLoader, now});
  const errors = resultErrors(result);
  if(result.verified) {
    return {id, verdict: isRevoked(result.statusResult) ? 'revoked' : 'valid', errors};
  }
  if(result.statusResult && !result.statusResult.verified) {
    // The proof held (the status is checked only then); the list could not be read or
    // its own proof failed.
    return {id, verdict: 'cannot_confirm', errors};
  }
  const window = errors.some(message => EXPIRED.test(message)) ? 'expired' :
    errors.some(message => NOT_YET_VALID.test(message)) ? 'not_yet_valid' : null;
  const inside = window && insideWindow(credential);
  if(!inside || Number.isNaN(inside.getTime())) {
    return {id, verdict: 'invalid', errors};
  }
  const again = await verifyAt(credential, {documentLoader, now: inside});
  const errorsAgain = resultErrors(again);
  if(again.verified) {
    return {id, verdict: isRevoked(again.statusResult) ? 'revoked' : window, errors};
  }
  if(again.statusResult && !again.statusResult.verified) {
    return {id, verdict: 'cannot_confirm', errors: [...errors, ...errorsAgain]};
  }
  return {id, verdict: 'invalid', errors: [...errors, ...errorsAgain]};
}

async function readInput(path) {
  if(path) {
    return readFile(path, 'utf8');
  }
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const input = JSON.parse(await readInput(process.argv[2]));
  const {documents = {}, credentials, now} = input;
  if(!Array.isArray(credentials)) {
    throw new TypeError('"credentials" must be an array.');
  }
  if(now !== undefined && Number.isNaN(new Date(now).getTime())) {
    throw new TypeError(`"now" is not an ISO date-time: ${JSON.stringify(now)}.`);
  }
  const documentLoader = loaderFor(documents);
  const results = [];
  // One at a time: a failure of one credential never hides another's.
  for(const credential of credentials) {
    results.push(await judge(credential, {documentLoader, now}));
  }
  process.stdout.write(JSON.stringify({results}) + '\n');
}

main().catch(error => {
  process.stderr.write(`verify.mjs: ${error.stack || error}\n`);
  process.exit(2);
});
