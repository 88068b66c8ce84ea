import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, raw } from '../../src/report/html.js';
import { msFromUs } from '../../src/core/ms-text.js';
import { capacityHtml } from '../../src/capacity/capacity-report.js';

describe('HTML escaping and µs → ms, one home each', () => {
  it('escapeHtml escapes & < > " and \'', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('html`…` escapes every interpolation unless it is markup; lists join, null and false leave nothing', () => {
    const name = `<script>alert('x')</script>`;
    const cell = html`<td title="${name}">${name}</td>`;
    assert.equal(cell.text, `<td title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>`);
    const row = [cell, html`<td>${2}</td>`];
    // prettier-ignore
    assert.equal(html`<tr>${row}</tr>`.text, `<tr>${cell.text}<td>2</td></tr>`);
    assert.equal(html`<p>${raw('<b>ok</b>')}${null}${undefined}${false}</p>`.text, '<p><b>ok</b></p>');
  });

  it("the capacity page escapes a target name with a quote (it once missed ')", () => {
    const page = capacityHtml({
      target: `it's <mine>`,
      settings: { slos: [], ratePerClient: 1, durationS: 1, warmupS: 0, repeat: 1 },
      steps: [],
      answer: { message: 'none', lastPassing: null, firstFailing: null },
      interrupted: false,
    } as unknown as Parameters<typeof capacityHtml>[0]);
    assert.match(page, /Capacity of it&#39;s &lt;mine&gt;/);
  });

  it('msFromUs: two decimals below 10 ms, one below 100, none above; or the digits asked for', () => {
    assert.deepEqual([msFromUs(160), msFromUs(12_345), msFromUs(250_400), msFromUs(1234, 1)], ['0.16', '12.3', '250', '1.2']);
  });
});
