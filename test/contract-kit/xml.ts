/** An element of a parsed XML document: enough to read back a JUnit report. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  if (/[<]|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.test(raw)) throw new Error(`malformed XML: a bare < or & near offset ${where}`);
  // Outside a reference, a parser turns every line break into \n (XML 1.0 §2.11).
  const normalised = raw.replace(/\r\n?/g, '\n');
  return normalised.replace(/&(#x[\da-fA-F]+|#\d+|\w+);/g, (_, ref: string) => (ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16))
    : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : NAMED[ref]!));
}

/** Attribute values: literal tabs and line breaks become spaces, as XML 1.0 §3.3.3 says. */
const decodeAttribute = (raw: string, where: number) => decode(raw.replace(/[\t\n\r]/g, ' '), where);

/**
 * A strict reader of well-formed XML without DTDs, comments or CDATA (what the kit writes):
 * throws on a bare `<` or `&`, an unquoted or repeated attribute, a tag closed out of order,
 * a character XML 1.0 forbids, or anything after the root.
 */
export function parseXml(xml: string): XmlElement {
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml)) throw new Error('malformed XML: a character XML 1.0 forbids');
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const tag = /<(\/?)([\w:.-]+)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/y;
  const attribute = /\s+([\w:.-]+)="([^"]*)"/g;
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  let at = 0;
  while (at < body.length) {
    const next = body.indexOf('<', at);
    const text = body.slice(at, next === -1 ? body.length : next);
    stack.at(-1)!.text += decode(text, at);
    if (next === -1) break;
    tag.lastIndex = next;
    const match = tag.exec(body);
    if (match === null) throw new Error(`malformed XML: a bad tag at offset ${next}: ${body.slice(next, next + 40)}`);
    const [, closing, name, attributes, selfClosing] = match;
    if (closing === '/') {
      const open = stack.pop();
      if (open?.name !== name || stack.length === 0) throw new Error(`malformed XML: </${name}> closes <${open?.name}>`);
    } else {
      const element: XmlElement = { name: name!, attributes: {}, children: [], text: '' };
      for (const [, key, value] of attributes!.matchAll(attribute)) {
        if (key! in element.attributes) throw new Error(`malformed XML: ${name} repeats ${key}`);
        element.attributes[key!] = decodeAttribute(value!, next);
      }
      if (stack.length === 1 && root.children.length > 0) throw new Error('malformed XML: a second root element');
      stack.at(-1)!.children.push(element);
      if (selfClosing !== '/') stack.push(element);
    }
    at = tag.lastIndex;
  }
  if (stack.length !== 1 || root.children.length !== 1 || root.text.trim() !== '') throw new Error('malformed XML: unclosed elements or text outside the root');
  return root.children[0]!;
}

/** Every element named `name` under `element`, depth first. */
export function elementsNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...elementsNamed(child, name)]);
}
