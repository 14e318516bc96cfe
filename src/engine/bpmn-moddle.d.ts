/**
 * bpmn-moddle ships types for its meta-model (`bpmn-moddle/types`) but none for its entry
 * point; this declares the part of it the BPMN import and export use.
 */
declare module 'bpmn-moddle' {
  import type { Moddle, ModdleElement } from 'moddle';

  /** A problem the lax reader skipped over: the XML is read anyway, without that part. */
  export interface BpmnParseWarning {
    message: string;
    element?: ModdleElement;
    property?: string;
    value?: string;
    error?: Error;
  }

  export interface BpmnParseResult {
    rootElement: ModdleElement;
    elementsById: Record<string, ModdleElement>;
    warnings: BpmnParseWarning[];
  }

  export class BpmnModdle extends Moddle {
    /** packages: extension meta-models (name → descriptor), added to BPMN, DI, DC and bpmn.io's own. */
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<BpmnParseResult>;
    toXML(element: ModdleElement, options?: { format?: boolean; preamble?: boolean }): Promise<{ xml: string }>;
  }
}
