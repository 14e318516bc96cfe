/** Offers a text as a file to save (an export, an edited diagram). */
export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export const MIME = { yaml: 'application/yaml', json: 'application/json', bpmn: 'application/xml' } as const;
