import { checkAttachmentType, safeFileName } from '../../../src/households/attachment-type.js';
import { TINY_PDF, tinyPng } from '../../support/files.js';

describe('checkAttachmentType: the content type comes from the bytes', () => {
  it('accepts a PNG named .png and a PDF named .pdf', async () => {
    expect(await checkAttachmentType(tinyPng(), '公示照片.PNG')).toEqual({ ok: true, contentType: 'image/png', extension: 'png' });
    expect(await checkAttachmentType(TINY_PDF, '评议会议记录.pdf')).toEqual({ ok: true, contentType: 'application/pdf', extension: 'pdf' });
  });
  it('refuses PDF bytes named .png', async () => {
    expect(await checkAttachmentType(TINY_PDF, 'notice.png')).toEqual({ ok: false, reason: "The file's name says .png but its content is application/pdf", detected: 'application/pdf' });
  });
  it('refuses content that is none of the accepted types, whatever the name', async () => {
    const verdict = await checkAttachmentType(Buffer.from('<html><script>alert(1)</script></html>'), 'minutes.pdf');
    expect(verdict).toEqual({ ok: false, reason: "The file's content is not one of the accepted types (pdf, png, jpg, webp)", detected: null });
  });
});

describe('safeFileName', () => {
  it('drops paths, quotes and control characters', () => {
    expect(safeFileName('..\\..\\etc/pass"wd\r\n.pdf')).toBe('passwd.pdf');
    expect(safeFileName('')).toBe('attachment');
  });
});
