import { expect } from 'chai';
import { LIMITS } from '../../../server/protocol.js';
import { useServer } from '../../helpers/fixture.js';

/** One element's tag as served, by its id. */
function tagOf(html: string, id: string): string {
  const tag = new RegExp(`<(input|small)[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  expect(tag, `#${id}`).to.be.a('string');
  return tag!;
}

/** The page without its data block of catalogs (#mux1-texts). */
const withoutTexts = (html: string) =>
  html.replace(/<script type="application\/json" id="mux1-texts">[\s\S]*?<\/script>/, '');

const attribute = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/**
 * The page's fields and hints show the limits the server enforces (LIMITS in protocol.ts): they
 * are written into the page when the server starts, so the page cannot keep an old figure.
 */
describe('the browser page shows the limits the server enforces', () => {
  let html: string;
  const t = useServer();

  before(async () => {
    html = await (await fetch(`${t.url}/`)).text();
  });

  it('leaves no placeholder unfilled', () => {
    // The catalogs for the page's scripts keep their own {{values}}, filled in the browser.
    expect(withoutTexts(html)).to.not.include('{{');
    expect(withoutTexts(html)).to.not.include('}}');
  });

  it('bounds each field as the schemas do', () => {
    const expected: [id: string, attribute: string, value: number][] = [
      ['login-username', 'maxlength', LIMITS.emailMax],
      ['login-password', 'maxlength', LIMITS.passwordMax * 4],
      ['signup-username', 'minlength', LIMITS.usernameMin],
      ['signup-username', 'maxlength', LIMITS.usernameMax],
      ['signup-email', 'maxlength', LIMITS.emailMax],
      ['signup-password', 'minlength', LIMITS.passwordMin],
      ['signup-password', 'maxlength', LIMITS.passwordMax * 4],
      ['verify-email', 'maxlength', LIMITS.emailMax],
      ['verify-code', 'minlength', LIMITS.codeDigits],
      ['verify-code', 'maxlength', LIMITS.codeDigits],
      ['message-input', 'maxlength', LIMITS.messageMax],
    ];
    for (const [id, name, value] of expected) {
      expect(attribute(tagOf(html, id), name), `#${id} ${name}`).to.equal(String(value));
    }
  });

  it('says the same figures in its hints', () => {
    const hint = (id: string) => new RegExp(`id="${id}"[^>]*>\\s*([^<]*)<`).exec(html)?.[1]?.trim();
    expect(hint('username-hint')).to.match(new RegExp(`^${LIMITS.usernameMin}-${LIMITS.usernameMax} `));
    expect(hint('password-hint')).to.match(
      new RegExp(`^${LIMITS.passwordMin}-${LIMITS.passwordMax} characters`),
    );
  });
});
