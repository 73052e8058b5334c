/*
 * variants.c
 *      Unleash's variants (lib/variant.js): compiled once; chosen per call
 *      by an override that matches the context, else by weight with
 *      MurmurHash3 (seed 86028157) of "groupId:stickiness value"
 *      % total weight + 1.  The default stickiness is the first non-empty
 *      of userId, sessionId and remoteAddress, else a random number; a
 *      custom field that the context lacks is random too.
 */
#include <string.h>

#include "targeting_internal.h"

#define VARIANT_SEED UINT32_C(86028157)
#define RANDOM_SEED_RANGE 100001

typedef struct FFOverrideDef
{
	FFStr		context_name;
	FFStr	   *values;
	size_t		nvalues;
} FFOverrideDef;

typedef struct FFVariantDef
{
	FFStr		name;
	int			weight;
	bool		has_stickiness;
	FFStr		stickiness;
	bool		has_payload;
	FFStr		payload_type;
	FFStr		payload_value;
	FFOverrideDef *overrides;
	size_t		noverrides;
} FFVariantDef;

struct FFVariants
{
	FFVariantDef *defs;
	size_t		n;
	int64_t		total_weight;
};

/* Copy a list of strings into the arena. */
static FFStr *
copy_list(FFArena *arena, const FFStr *items, size_t n)
{
	FFStr	   *copy = arena->alloc(arena->cx, sizeof(FFStr) * (n + 1));

	for (size_t i = 0; i < n; i++)
		copy[i] = ff_arena_str(arena, items[i], false);
	return copy;
}

/* Compile one variant into def; false with err when malformed. */
static bool
compile_variant(FFArena *arena, const FFVariantSpec *spec, FFVariantDef *def,
				char *err, size_t errlen)
{
	if (spec->name.len == 0)
		return ff_targeting_error(err, errlen, "variant: \"name\" is empty");
	if (spec->weight < 0)
		return ff_targeting_error(err, errlen, "variant \"%.*s\": \"weight\" is negative: %d",
								  (int) spec->name.len, spec->name.ptr, spec->weight);
	def->name = ff_arena_str(arena, spec->name, false);
	def->weight = spec->weight;
	def->has_stickiness = spec->has_stickiness && spec->stickiness.len > 0;
	def->stickiness = ff_arena_str(arena, spec->stickiness, false);
	def->has_payload = spec->has_payload;
	def->payload_type = ff_arena_str(arena, spec->payload_type, false);
	def->payload_value = ff_arena_str(arena, spec->payload_value, false);
	def->noverrides = spec->noverrides;
	def->overrides = arena->alloc(arena->cx, sizeof(FFOverrideDef) * (spec->noverrides + 1));
	for (size_t i = 0; i < spec->noverrides; i++)
	{
		def->overrides[i].context_name = ff_arena_str(arena, spec->overrides[i].context_name, false);
		def->overrides[i].values = copy_list(arena, spec->overrides[i].values,
											 spec->overrides[i].nvalues);
		def->overrides[i].nvalues = spec->overrides[i].nvalues;
	}
	return true;
}

/* Compile a list of variants; false with err when malformed (a negative weight, an empty name). */
bool
ff_variants_compile(FFArena *arena, const FFVariantSpec *specs, size_t n,
					const FFVariants **out, char *err, size_t errlen)
{
	FFVariants *v = arena->alloc(arena->cx, sizeof(FFVariants));

	v->defs = arena->alloc(arena->cx, sizeof(FFVariantDef) * (n + 1));
	v->n = n;
	v->total_weight = 0;
	for (size_t i = 0; i < n; i++)
	{
		if (!compile_variant(arena, &specs[i], &v->defs[i], err, errlen))
			return false;
		v->total_weight += specs[i].weight;
		if (v->total_weight > FF_VARIANT_TOTAL_MAX)
			return ff_targeting_error(err, errlen,
									  "the variants' weights add up to more than %d",
									  FF_VARIANT_TOTAL_MAX);
	}
	*out = v;
	return true;
}

/* The stickiness of the first variant (Unleash uses it for the whole list), or NULL. */
const FFStr *
ff_variants_stickiness(const FFVariants *variants)
{
	if (variants->n == 0 || !variants->defs[0].has_stickiness)
		return NULL;
	return &variants->defs[0].stickiness;
}

/* The first variant with an override whose context field has one of its values. */
static const FFVariantDef *
find_override(const FFVariants *variants, const FFContext *ctx)
{
	for (size_t i = 0; i < variants->n; i++)
	{
		const FFVariantDef *def = &variants->defs[i];

		for (size_t j = 0; j < def->noverrides; j++)
		{
			FFStr		value;

			if (!ff_context_value(ctx, def->overrides[j].context_name, &value))
				continue;
			for (size_t k = 0; k < def->overrides[j].nvalues; k++)
				if (ff_str_equal(def->overrides[j].values[k], value))
					return def;
		}
	}
	return NULL;
}

/* Unleash's getSeed: the stickiness value the hash is taken of. */
static FFStr
stickiness_seed(const FFStr *stickiness, const FFContext *ctx, char *buf)
{
	FFStr		value;

	if (stickiness != NULL && !ff_str_is(*stickiness, "default"))
	{
		if (ff_context_value(ctx, *stickiness, &value) && value.len > 0)
			return value;
	}
	else if (ctx->has_user && ctx->user.len > 0)
		return ctx->user;
	else if (ff_context_extra(ctx)->has_session_id && ff_context_extra(ctx)->session_id.len > 0)
		return ff_context_extra(ctx)->session_id;
	else if (ff_context_extra(ctx)->has_remote_address && ff_context_extra(ctx)->remote_address.len > 0)
		return ff_context_extra(ctx)->remote_address;
	return ff_random_id(buf, RANDOM_SEED_RANGE);
}

/* Unleash's selectVariantDefinition; false when there is none to choose. */
bool
ff_variants_select(const FFVariants *variants, FFStr group_id,
				   const FFStr *stickiness, const FFContext *ctx,
				   FFVariantChoice *choice)
{
	const FFVariantDef *chosen = NULL;
	char		buf[16];
	int64_t		counter = 0;

	if (variants == NULL || variants->total_weight <= 0)
		return false;
	chosen = find_override(variants, ctx);
	if (chosen == NULL)
	{
		uint32_t	target = ff_normalized_value(stickiness_seed(stickiness, ctx, buf), group_id,
												 (uint32_t) variants->total_weight, VARIANT_SEED);

		for (size_t i = 0; i < variants->n && chosen == NULL; i++)
		{
			counter += variants->defs[i].weight;
			if (variants->defs[i].weight > 0 && counter >= target)
				chosen = &variants->defs[i];
		}
		if (chosen == NULL)
			return false;
	}
	choice->name = chosen->name;
	choice->has_payload = chosen->has_payload;
	choice->payload_type = chosen->payload_type;
	choice->payload_value = chosen->payload_value;
	return true;
}
