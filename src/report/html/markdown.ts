import { escapeXml } from './svg.ts';

/**
 * Renders the Markdown subset validation.md uses (headings, paragraphs, lists, tables,
 * bold, code, footnotes) so the HTML report shows the same text without a library.
 */
export function markdownToHtml(markdown: string): string {
  const html: string[] = [];
  const lines = markdown.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
    } else if (line.startsWith('#')) {
      const level = line.match(/^#+/)?.[0].length ?? 1;
      html.push(`<h${level}>${inline(line.slice(level).trim())}</h${level}>`);
      i++;
    } else if (line.startsWith('|')) {
      const rows: string[] = [];
      while (i < lines.length && lines[i].startsWith('|')) rows.push(lines[i++]);
      html.push(table(rows));
    } else if (line.startsWith('- ')) {
      const items: string[] = [];
      while (i < lines.length && lines[i].startsWith('- ')) items.push(lines[i++].slice(2));
      html.push(`<ul>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    } else if (/^\[\^\d+\]: /.test(line)) {
      const notes: string[] = [];
      while (i < lines.length && /^\[\^\d+\]: /.test(lines[i])) {
        const [, number, text] = lines[i++].match(/^\[\^(\d+)\]: (.*)$/) ?? [];
        notes.push(`<li id="fn-${number}" value="${number}">${inline(text)}</li>`);
      }
      html.push(`<ol class="footnotes">${notes.join('')}</ol>`);
    } else {
      const paragraph: string[] = [];
      while (i < lines.length && lines[i].trim() !== '' && !/^[#|-]/.test(lines[i])) {
        paragraph.push(lines[i++]);
      }
      html.push(`<p>${inline(paragraph.join(' '))}</p>`);
    }
  }
  return html.join('\n');
}

function table(rows: string[]): string {
  const cells = (row: string) =>
    row
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replaceAll('\\|', '|'));
  const [head, , ...body] = rows;
  const th = cells(head)
    .map((cell) => `<th>${inline(cell)}</th>`)
    .join('');
  const tr = body
    .map(
      (row) =>
        `<tr>${cells(row)
          .map((cell) => `<td>${inline(cell)}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

function inline(text: string): string {
  return escapeXml(text)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[\^(\d+)\]/g, '<sup><a href="#fn-$1">$1</a></sup>');
}
