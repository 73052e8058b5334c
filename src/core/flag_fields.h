/*
 * flag_fields.h
 *      The fields of a flag definition and of a tenant's override, written
 *      once: the structs the YAML reader fills and the table that describes
 *      each field (its YAML key and SQL column, type, what null means,
 *      range, where it lives in the struct).  The reader (known keys, "did
 *      you mean", type checks), the writer, the compare, and the SQL side
 *      (column lists, row readers, import batches, field masks) all walk
 *      this table, so a new field is a struct member, an enum value and a
 *      table row here (and its meaning in the resolver and cache loader).
 *      Plain C, no PostgreSQL types.
 */
#ifndef FLAGFORGE_FLAG_FIELDS_H
#define FLAGFORGE_FLAG_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

/* A list of strings; items is NULL when count is 0. */
typedef struct FFYamlStringList
{
	char	  **items;
	size_t		count;
} FFYamlStringList;

/* One entry of the flags: mapping: one row of flagforge_flags. */
typedef struct FFYamlFlag
{
	char	   *key;			/* the mapping key: 1-255 characters */
	char	   *name;			/* required */
	char	   *description;	/* "" when absent */
	bool		default_enabled;
	bool		is_public;
	bool		deprecated;
	int			rollout_percentage; /* 0..100 */
	bool		has_environments;	/* false: absent or null (every environment) */
	FFYamlStringList environments;	/* may be empty: blocked everywhere */
	bool		kill_switch;	/* 1.1: off for everyone */
	char	   *variants;		/* 1.1: JSON text of an array, "[]" when absent */
	bool		has_rules;		/* absent: the stored rules are kept */
	char	   *rules;			/* 1.1: JSON text of the flag-level rules */
	bool		has_prerequisites;	/* absent: the stored ones are kept */
	char	   *prerequisites;	/* 1.1: JSON text of the prerequisites */
	int			line;			/* where the key was, 1-based */
	int			column;
} FFYamlFlag;

/* One tenant's override of one flag: one row of flagforge_overrides. */
typedef struct FFYamlOverride
{
	char	   *tenant_id;		/* any string, even "" */
	char	   *flag_key;		/* 1-255 characters; not checked against flags */
	bool		has_enabled;	/* the field was present */
	int			enabled;		/* -1 = null, 0 = false, 1 = true */
	bool		has_rollout;
	int			rollout_percentage; /* -1 = null, else 0..100 */
	bool		has_users;
	FFYamlStringList users;		/* enabled_for_users */
	bool		has_groups;
	FFYamlStringList groups;	/* enabled_for_groups */
	bool		has_rules;
	char	   *rules;			/* 1.1: JSON text of the tenant's rules */
	int			line;			/* where the flag key was, 1-based */
	int			column;
} FFYamlOverride;

/* The type of a field's value, in YAML and in its struct. */
typedef enum FFFieldType
{
	FF_FIELD_STRING,			/* char *; SQL text */
	FF_FIELD_BOOL,				/* bool; int -1/0/1 when null is a value; SQL boolean */
	FF_FIELD_INT,				/* int (-1 when null is a value); SQL integer */
	FF_FIELD_STRING_LIST,		/* FFYamlStringList; SQL text[] */
	FF_FIELD_JSON				/* char *, JSON text read from any YAML value
								 * (yaml_json.c); SQL jsonb */
} FFFieldType;

/* What null (~, null, nothing) written for the field means. */
typedef enum FFFieldNull
{
	FF_NULL_REFUSED,			/* a type error ("must be a string, got null") */
	FF_NULL_REQUIRED,			/* the "<field> is required, got null" error */
	FF_NULL_ABSENT,				/* the same as leaving the field out (SQL NULL) */
	FF_NULL_VALUE				/* a value of its own (-1; SQL NULL): "no opinion" */
} FFFieldNull;

/* One field. */
typedef struct FFField
{
	const char *name;			/* the YAML key */
	const char *column;			/* the SQL column */
	FFFieldType type;
	FFFieldNull null;
	bool		required;		/* a record without it is refused */
	size_t		offset;			/* of the value in the struct */
	ptrdiff_t	present_offset; /* of its bool has_<field>, or -1: always present */
	int			min;			/* FF_FIELD_INT: the range */
	int			max;
	const char *omit;			/* the writer leaves the field out when its
								 * value is this ("false", "[]"): a 1.1 field
								 * that 1.0 files never show; a JSON field
								 * absent from a full record gets it */
	const char *const *item_keys;	/* FF_FIELD_JSON: its items (list items or
									 * mapping values) are mappings of only
									 * these keys (NULL-terminated); NULL: any */
	bool		computed;		/* not a column of the record's table: read
								 * from other tables, written apart (rules,
								 * prerequisites) */
} FFField;

/* The fields of one kind of record, in the order they are written. */
typedef struct FFFieldSet
{
	const FFField *fields;
	int			count;
	bool		partial;		/* records give only some fields (overrides);
								 * else every field is written, an absent one
								 * as its null (flags) */
} FFFieldSet;

/* Indexes into ff_flag_fields.fields. */
typedef enum FFFlagField
{
	FF_FLAG_NAME, FF_FLAG_DESCRIPTION, FF_FLAG_DEFAULT_ENABLED, FF_FLAG_IS_PUBLIC,
	FF_FLAG_ROLLOUT, FF_FLAG_DEPRECATED, FF_FLAG_ENVIRONMENTS, FF_FLAG_KILL_SWITCH,
	FF_FLAG_VARIANTS, FF_FLAG_RULES, FF_FLAG_PREREQUISITES, FF_FLAG_NFIELDS
} FFFlagField;

/* Indexes into ff_override_fields.fields. */
typedef enum FFOverrideField
{
	FF_OVR_ENABLED, FF_OVR_ROLLOUT, FF_OVR_USERS, FF_OVR_GROUPS, FF_OVR_RULES, FF_OVR_NFIELDS
} FFOverrideField;

/* Most fields a set may have (fields are bits of an unsigned mask). */
#define FF_MAX_FIELDS 16

extern const FFFieldSet ff_flag_fields;		/* FFYamlFlag; after the key */
extern const FFFieldSet ff_override_fields; /* FFYamlOverride; after tenant and flag */

/* The keys of a segment under the document's segments: mapping. */
extern const char *const ff_segment_keys[];

/*
 * Does the writer leave the field out: its value is the field's omit and,
 * for a field with has_<field>, it was not given?
 */
extern bool ff_field_omitted(const FFField *field, const void *record);

/* Bit i set for each field i that is a column of the record's table. */
extern unsigned ff_fields_column_mask(const FFFieldSet *set);

/* The field's value in a record (char **, bool *, int *, FFYamlStringList *). */
extern void *ff_field_value(const FFField *field, const void *record);

/* Was the field given (always true for a field without has_<field>)? */
extern bool ff_field_present(const FFField *field, const void *record);

/* Mark the field given. */
extern void ff_field_set_present(const FFField *field, void *record);

/* Is the field's value null (absent in a full set, or -1)? */
extern bool ff_field_is_null(const FFField *field, const void *record);

/* Set the value to null (-1 or absent) or, for a field without null, to 0/false/empty. */
extern void ff_field_set_null(const FFField *field, void *record);

/* Give every field whose null is a value its null (-1): a new record. */
extern void ff_fields_init(const FFFieldSet *set, void *record);

/* The same presence and, when present, the same value. */
extern bool ff_field_equal(const FFField *field, const void *a, const void *b);

/* Every field equal. */
extern bool ff_fields_equal(const FFFieldSet *set, const void *a, const void *b);

/* Bit i set for each field i the record gives. */
extern unsigned ff_fields_present_mask(const FFFieldSet *set, const void *record);

/* Copy the value (and presence) of one field from src to dst, sharing strings. */
extern void ff_field_copy(const FFField *field, void *dst, const void *src);

/*
 * What a value of the field must be, for messages: "a string", "true or
 * false", "true, false or null", "an integer from 0 to 100", "a list of
 * strings or null"...
 */
extern const char *ff_field_expected(const FFField *field, char *buf, size_t bufsize);

/* The set's field names as "a, b, c and d" (conj "and") or "a, b or c". */
extern const char *ff_field_names(const FFFieldSet *set, const char *conj,
								  char *buf, size_t bufsize);


#endif							/* FLAGFORGE_FLAG_FIELDS_H */
