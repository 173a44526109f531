import { expect } from 'chai';

/** The contract's error shape: `{error: <sentence>, code}` with the expected status (and field). */
export function expectError(
  res: { status: number; body: any },
  status: number,
  code: string,
  field?: string,
): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body, 'error body').to.be.an('object');
  expect(res.body.code).to.equal(code);
  expect(res.body.error).to.be.a('string').with.length.above(0);
  if (field !== undefined) expect(res.body.field, 'field').to.equal(field);
}
