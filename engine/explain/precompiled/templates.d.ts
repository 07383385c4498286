import type { TemplateSpecification } from 'handlebars';

export declare const PRECOMPILED: Record<string, TemplateSpecification>;
