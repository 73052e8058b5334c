/*
 * settings.h
 *      The flagforge.* settings (GUCs): the evaluation context an app sets
 *      per session or transaction, and the cache bound.
 */
#ifndef FLAGFORGE_SETTINGS_H
#define FLAGFORGE_SETTINGS_H

#include "postgres.h"

#include "resolver.h"

extern char *ff_setting_tenant;
extern char *ff_setting_user_id;
extern char *ff_setting_groups;
extern char *ff_setting_environment;
extern char *ff_setting_actor;
extern char *ff_setting_session_id;
extern char *ff_setting_remote_address;
extern char *ff_setting_app_name;
extern char *ff_setting_properties;	/* a JSON object (checked when set) */
extern char *ff_setting_importing;	/* internal: "unleash" during flagforge_import_unleash */
extern int	ff_setting_cache_memory_limit_kb;
extern int	ff_setting_tenancy;

/* Define the settings (from _PG_init). */
extern void ff_settings_define(void);

/* A string setting as an FFStr; false when it is unset or empty. */
extern bool ff_setting_value(const char *setting, FFStr *out);

/* flagforge.groups split on commas, blanks trimmed, empty items dropped. */
extern FFStrList ff_setting_group_list(void);

#endif							/* FLAGFORGE_SETTINGS_H */
