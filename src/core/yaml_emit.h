/*
 * yaml_emit.h
 *      Writer of the FlagForge flag file: scalar quoting and the document.
 *
 * Plain C with no PostgreSQL types, the inverse of yaml_parse.h: what
 * ff_yaml_emit_document() writes, ff_yaml_parse() reads back as the same
 * document (and PyYAML safe_load reads as the same data).  Output goes to a
 * growable malloc'd buffer (FFBuf, ff_buf.h) whose appends return false
 * when out of memory.
 */
#ifndef FLAGFORGE_YAML_EMIT_H
#define FLAGFORGE_YAML_EMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "yaml_parse.h"

/*
 * Would s, written plain (unquoted), fail to read back as exactly this
 * string?  True for "", anything YAML 1.1 would type (yes, ~, 12, 1.5,
 * 2024-01-31, <<), leading or trailing blanks, any of :#{}[],&*!|>'"%@`\
 * anywhere, a leading - or ?, tabs, line breaks, control and other
 * non-printable characters, and invalid UTF-8.
 */
extern bool ff_yaml_scalar_needs_quotes(const char *s, size_t len);

/*
 * Append s as a YAML scalar: plain when that is safe, else double-quoted
 * on one line with escapes (\n, \t, \x01, \u2028...).  s should be valid
 * UTF-8; an invalid byte is written as \xNN, which reads back as U+00NN.
 */
extern bool ff_yaml_emit_scalar(FFBuf *buf, const char *s, size_t len);

/*
 * Append the whole document:
 *
 *   flags:                     (flags: {} when there are none)
 *     <key>:
 *       name: ...
 *       description: ...
 *       default_enabled: false
 *       is_public: false
 *       rollout_percentage: 0
 *       deprecated: false
 *       environments: null     ([] when empty, else one "- env" a line)
 *       kill_switch: true      (1.1 fields: only when not false / [])
 *       variants:              (JSON-shaped: one "- {flow}" an item)
 *       rules:
 *       prerequisites:
 *   segments:                  (1.1: only when there are segments)
 *     "1": {name: ..., constraints: [...]}
 *   overrides:                 (only when there are overrides)
 *     <tenant>:
 *       <flag key>:            (<flag key>: {} when no field is present)
 *         enabled: true        (only the fields present; null allowed)
 *         rollout_percentage: 20
 *         enabled_for_users: []
 *         enabled_for_groups:
 *           - beta
 *
 * Flags and overrides are written in the order of the arrays, except that
 * overrides of one tenant are gathered under the tenant's first appearance.
 * Keys are not checked: duplicate flag keys or (tenant, flag) pairs give a
 * document the parser refuses.  NULL strings are written as "".  Warnings
 * are not written.  False when out of memory or when ff_yaml_interrupt_hook
 * asked to stop (asked for each flag, override and list item, and every
 * 64 kB of a quoted scalar); buf then holds part of it.
 */
extern bool ff_yaml_emit_document(FFBuf *buf, const FFYamlDocument *doc);

#endif							/* FLAGFORGE_YAML_EMIT_H */
