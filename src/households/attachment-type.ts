import { fileTypeFromBuffer } from 'file-type';

/**
 * The kinds of file a household file accepts: scanned or photographed minutes and notices.
 * The content type is taken from the bytes (file-type reads the magic numbers), never from
 * the client; the file name's extension must name the same type, so a PDF called
 * `notice.png` is refused rather than served as something it is not.
 */
export const ALLOWED_ATTACHMENT_TYPES: Readonly<Record<string, { mime: string; extensions: readonly string[] }>> = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'] },
  png: { mime: 'image/png', extensions: ['png'] },
  jpg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  webp: { mime: 'image/webp', extensions: ['webp'] },
};

export type AttachmentTypeVerdict =
  | { ok: true; contentType: string; extension: string }
  | { ok: false; reason: string; detected: string | null };

export async function checkAttachmentType(bytes: Uint8Array, fileName: string): Promise<AttachmentTypeVerdict> {
  const detected = await fileTypeFromBuffer(bytes);
  const allowed = detected ? ALLOWED_ATTACHMENT_TYPES[detected.ext] : undefined;
  const allowedList = Object.values(ALLOWED_ATTACHMENT_TYPES).map((t) => t.extensions[0]).join(', ');
  if (!detected || !allowed) {
    return { ok: false, reason: `The file's content is not one of the accepted types (${allowedList})`, detected: detected?.mime ?? null };
  }
  const dot = fileName.lastIndexOf('.');
  const extension = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
  if (!allowed.extensions.includes(extension)) {
    return { ok: false, reason: `The file's name says .${extension || '(none)'} but its content is ${allowed.mime}`, detected: allowed.mime };
  }
  return { ok: true, contentType: allowed.mime, extension };
}

/** A file name safe to store and to put in a Content-Disposition header: no path, no control characters, at most 200 characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return (cleaned || 'attachment').slice(-200);
}
