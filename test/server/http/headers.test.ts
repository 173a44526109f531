import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import {
  API_HEADERS,
  PAGE_HEADERS,
  setCheckedHeader,
  setHeaders,
  storesHeadersDirectly,
} from '../../../server/http/headers.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

/** The names as they go on the wire (Node has this since 15; its types here lack it). */
const rawNames = (res: ServerResponse): string[] =>
  (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames();

/** What setHeader alone makes of the same list: the reference the direct store must equal. */
function throughSetHeader(list: readonly { name: string; value: string }[]): ServerResponse {
  const res = response();
  for (const h of list) res.setHeader(h.name, h.value);
  return res;
}

describe('setHeaders', () => {
  // If a Node upgrade moves where responses keep their headers, answers fall back to setHeader:
  // still right, but slower on every request, so this says so.
  it("stores the fixed headers in Node's own header store on this Node", () => {
    expect(storesHeadersDirectly).to.equal(true);
  });

  for (const [name, set] of Object.entries({ API_HEADERS, PAGE_HEADERS })) {
    it(`leaves a response with exactly the headers setHeader gives it (${name})`, () => {
      const res = response();
      res.setHeader('Content-Type', 'application/json');
      setHeaders(res, set);
      const reference = throughSetHeader(set.plain);
      reference.setHeader('Content-Type', 'application/json');
      expect(res.getHeaders()).to.deep.equal(reference.getHeaders());
      expect(rawNames(res).sort()).to.deep.equal(rawNames(reference).sort());
    });
  }

  it('gives each response its own entries: appending to one changes no other', () => {
    const first = response();
    setHeaders(first, API_HEADERS);
    first.appendHeader('Cache-Control', 'private');
    const second = response();
    setHeaders(second, API_HEADERS);
    expect(first.getHeader('cache-control')).to.deep.equal(['no-store', 'private']);
    expect(second.getHeader('cache-control')).to.equal('no-store');
  });

  it('replaces a header set before, as setHeader does, and a later setHeader replaces it', () => {
    const res = response();
    res.setHeader('x-frame-options', 'SAMEORIGIN');
    setHeaders(res, API_HEADERS);
    expect(res.getHeader('X-Frame-Options')).to.equal('DENY');
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    expect(res.getHeader('x-frame-options')).to.equal('SAMEORIGIN');
    setCheckedHeader(res, 'X-Request-Id', 'x-request-id', 'abc-1');
    expect(res.getHeader('x-request-id')).to.equal('abc-1');
    expect(rawNames(res)).to.include('X-Request-Id');
  });

  it('refuses, as setHeader does, once the headers are sent', () => {
    const res = response();
    res.writeHead(200);
    expect(() => setHeaders(res, API_HEADERS)).to.throw(/after they are sent/);
    expect(() => setCheckedHeader(res, 'X-Request-Id', 'x-request-id', 'a')).to.throw(/after they are sent/);
  });
});
