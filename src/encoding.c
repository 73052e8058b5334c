/*
 * encoding.c
 *      Rollout buckets of the UTF-8 bytes in a database of any encoding.
 *
 * The FlagForge library hashes the UTF-8 bytes of "tenant:flag:user".  In a
 * UTF-8 database the text is those bytes; in LATIN1, WIN1252 and the other
 * encodings PostgreSQL can convert, each piece is converted to UTF-8 just
 * for the hash (everything else, such as comparing a user with a targeting
 * list, compares text in the database encoding, where it is consistent).
 * SQL_ASCII has no encoding to convert from: the extension refuses to be
 * installed there (flagforge--1.0--1.1.sql).
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "encoding.h"
#include "murmur3.h"
#include "resolver.h"

/* A piece converted to UTF-8 (the same pointer when no conversion was needed). */
static const char *
utf8_piece(const char *s, size_t len, size_t *utf8_len)
{
	char	   *converted;

	if (s == NULL || len == 0)
	{
		*utf8_len = len;
		return s;
	}
	converted = pg_server_to_any(s, (int) len, PG_UTF8);
	*utf8_len = converted == s ? len : strlen(converted);
	return converted;
}

/* Free a piece utf8_piece converted. */
static void
free_piece(const char *original, const char *piece)
{
	if (piece != original)
		pfree((char *) piece);
}

/* ff_bucket on the UTF-8 form of each piece (see the file header). */
static int
bucket_of_utf8(const char *tenant, size_t tenant_len,
			   const char *flag_key, size_t flag_key_len,
			   const char *user_id, size_t user_id_len)
{
	const char *t;
	const char *f;
	const char *u;
	size_t		tl,
				fl,
				ul;
	int			bucket;

	if (GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII)
		return ff_bucket(tenant, tenant_len, flag_key, flag_key_len, user_id, user_id_len);
	t = utf8_piece(tenant, tenant_len, &tl);
	f = utf8_piece(flag_key, flag_key_len, &fl);
	u = utf8_piece(user_id, user_id_len, &ul);
	bucket = ff_bucket(t, tl, f, fl, u, ul);
	free_piece(tenant, t);
	free_piece(flag_key, f);
	free_piece(user_id, u);
	return bucket;
}

/* Make the resolver hash UTF-8 whatever the database encoding (from _PG_init). */
void
ff_encoding_init(void)
{
	ff_resolver_bucket = bucket_of_utf8;
}
