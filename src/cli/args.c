/*
 * args.c
 *      The flagforge client's command line: getopt_long over every option,
 *      the one command word, then what each command requires and accepts.
 *
 * Options may come before or after the command word (also with
 * POSIXLY_CORRECT set); after "--" only words follow.  Every mistake is
 * a usage error (exit status 2) naming the option or word and showing the
 * command's synopsis.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flagforge_cli.h"

/* Option codes beyond the short options' characters. */
enum
{
	OPT_CONFIG = 256,
	OPT_PRUNE,
	OPT_DRY_RUN,
	OPT_TENANT,
	OPT_USER,
	OPT_GROUPS,
	OPT_ENV,
	OPT_FLAG,
	OPT_PROPERTY,
	OPT_SESSION_ID,
	OPT_REMOTE_ADDRESS,
	OPT_APP_NAME,
	OPT_CURRENT_TIME,
	OPT_OUTPUT,
	OPT_OVERRIDES,
	OPT_HELP
};

static const struct option long_options[] = {
	{"dbname", required_argument, NULL, 'd'},
	{"host", required_argument, NULL, 'h'},
	{"port", required_argument, NULL, 'p'},
	{"username", required_argument, NULL, 'U'},
	{"no-password", no_argument, NULL, 'w'},
	{"password", no_argument, NULL, 'W'},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, 'V'},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"prune", no_argument, NULL, OPT_PRUNE},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"tenant", required_argument, NULL, OPT_TENANT},
	{"user", required_argument, NULL, OPT_USER},
	{"groups", required_argument, NULL, OPT_GROUPS},
	{"env", required_argument, NULL, OPT_ENV},
	{"flag", required_argument, NULL, OPT_FLAG},
	{"property", required_argument, NULL, OPT_PROPERTY},
	{"session-id", required_argument, NULL, OPT_SESSION_ID},
	{"remote-address", required_argument, NULL, OPT_REMOTE_ADDRESS},
	{"app-name", required_argument, NULL, OPT_APP_NAME},
	{"current-time", required_argument, NULL, OPT_CURRENT_TIME},
	{"output", required_argument, NULL, OPT_OUTPUT},
	{"overrides", no_argument, NULL, OPT_OVERRIDES},
	{NULL, 0, NULL, 0}
};

/*
 * Leading '-': words come back in order as option 1 (whatever POSIXLY_CORRECT
 * says); then ':' so that a missing argument is told apart from an unknown
 * option.  -? (help, as in PostgreSQL's programs) is left out: getopt's '?'
 * means an error, and the error path recognizes it.
 */
static const char short_options[] = "-:d:h:p:U:wWV";

/* The command words, indexed by CliCommand. */
static const char *const command_names[] = {
	[CLI_CMD_NONE] = NULL,
	[CLI_CMD_SYNC] = "sync",
	[CLI_CMD_STATUS] = "status",
	[CLI_CMD_ENABLE] = "enable",
	[CLI_CMD_DISABLE] = "disable",
	[CLI_CMD_EXPORT] = "export",
	[CLI_CMD_EXPLAIN] = "explain"
};

/*
 * A command option, which commands accept it, which require it, and for
 * which of those it is optional once one of Unleash's context options is
 * given (the tenant: rules need none, and the server says when a flag does).
 */
typedef struct CommandOption
{
	int			code;
	const char *name;
	unsigned	accepted;		/* bit per CliCommand */
	unsigned	required;
	unsigned	optional_in_context;
} CommandOption;

#define CMD_BIT(c) (1u << (c))
#define CONTEXT_COMMANDS (CMD_BIT(CLI_CMD_STATUS) | CMD_BIT(CLI_CMD_EXPLAIN))

static const CommandOption command_options[] = {
	{OPT_CONFIG, "--config", CMD_BIT(CLI_CMD_SYNC), CMD_BIT(CLI_CMD_SYNC), 0},
	{OPT_PRUNE, "--prune", CMD_BIT(CLI_CMD_SYNC), 0, 0},
	{OPT_DRY_RUN, "--dry-run", CMD_BIT(CLI_CMD_SYNC), 0, 0},
	{OPT_TENANT, "--tenant",
		CONTEXT_COMMANDS | CMD_BIT(CLI_CMD_ENABLE) | CMD_BIT(CLI_CMD_DISABLE),
	CONTEXT_COMMANDS | CMD_BIT(CLI_CMD_ENABLE) | CMD_BIT(CLI_CMD_DISABLE), CONTEXT_COMMANDS},
	{OPT_USER, "--user", CONTEXT_COMMANDS, 0, 0},
	{OPT_GROUPS, "--groups", CONTEXT_COMMANDS, 0, 0},
	{OPT_ENV, "--env", CONTEXT_COMMANDS, 0, 0},
	{OPT_FLAG, "--flag",
		CONTEXT_COMMANDS | CMD_BIT(CLI_CMD_ENABLE) | CMD_BIT(CLI_CMD_DISABLE),
	CMD_BIT(CLI_CMD_EXPLAIN) | CMD_BIT(CLI_CMD_ENABLE) | CMD_BIT(CLI_CMD_DISABLE), 0},
	{OPT_PROPERTY, "--property", CONTEXT_COMMANDS, 0, 0},
	{OPT_SESSION_ID, "--session-id", CONTEXT_COMMANDS, 0, 0},
	{OPT_REMOTE_ADDRESS, "--remote-address", CONTEXT_COMMANDS, 0, 0},
	{OPT_APP_NAME, "--app-name", CONTEXT_COMMANDS, 0, 0},
	{OPT_CURRENT_TIME, "--current-time", CONTEXT_COMMANDS, 0, 0},
	{OPT_OUTPUT, "--output", CMD_BIT(CLI_CMD_EXPORT), 0, 0},
	{OPT_OVERRIDES, "--overrides", CMD_BIT(CLI_CMD_EXPORT), 0, 0},
};

#define N_COMMAND_OPTIONS (sizeof(command_options) / sizeof(command_options[0]))

/* The word of a command ("sync", ...), NULL for none. */
const char *
cli_command_name(CliCommand command)
{
	return command_names[command];
}

/* The command a word names, CLI_CMD_NONE if none. */
static CliCommand
command_from_word(const char *word)
{
	int			c;

	for (c = CLI_CMD_SYNC; c <= CLI_CMD_EXPLAIN; c++)
		if (strcmp(word, command_names[c]) == 0)
			return (CliCommand) c;
	return CLI_CMD_NONE;
}

/* The command of the word seen so far (for the synopsis under an early error). */
static CliCommand
command_so_far(const char *command_word)
{
	return command_word ? command_from_word(command_word) : CLI_CMD_NONE;
}

/* The option getopt just rejected, as the user wrote it ("--bogus", "-x"), into out. */
static void
rejected_option(char **argv, int optind_now, char *out, size_t outsize)
{
	const char *arg = optind_now > 0 ? argv[optind_now - 1] : "";

	if (optopt != 0 && optopt < 256 && strncmp(arg, "--", 2) != 0)
		snprintf(out, outsize, "-%c", optopt);
	else
		snprintf(out, outsize, "%.*s", (int) strcspn(arg, "="), arg);
}

/* A usage error naming one word of the command line, shown (show.c) as how says for fmt's one %s. */
static int
word_error(CliCommand command, const char *fmt, const char *word, CliShow how)
{
	char	   *shown = cli_shown(word, how);
	int			rc = cli_usage_error(command, fmt, shown);

	free(shown);
	return rc;
}

/* How many long options start with the text of "--abbrev" (up to any '='). */
static int
long_option_matches(const char *arg)
{
	size_t		len = strcspn(arg + 2, "=");
	int			n = 0;
	int			i;

	for (i = 0; long_options[i].name != NULL; i++)
		if (strncmp(long_options[i].name, arg + 2, len) == 0)
			n++;
	return n;
}

/* Store an option's value; a required value may not be empty (returns false then). */
static bool
store_value(const char **slot, const char *value)
{
	*slot = value;
	return value[0] != '\0';
}

/* The index in command_options of an option code, or -1. */
static int
command_option_index(int code)
{
	size_t		i;

	for (i = 0; i < N_COMMAND_OPTIONS; i++)
		if (command_options[i].code == code)
			return (int) i;
	return -1;
}

/* Check the command options given against the command; returns an exit status. */
static int
check_command_options(const CliOptions *opts, const bool *given)
{
	unsigned	bit = CMD_BIT(opts->command);
	bool		in_context = cli_unleash_context_given(opts);
	size_t		i;

	for (i = 0; i < N_COMMAND_OPTIONS; i++)
	{
		const CommandOption *o = &command_options[i];

		if (given[i] && !(o->accepted & bit))
			return cli_usage_error(opts->command, "option %s is not valid for \"%s\"",
								   o->name, cli_command_name(opts->command));
	}
	for (i = 0; i < N_COMMAND_OPTIONS; i++)
	{
		const CommandOption *o = &command_options[i];

		if (!given[i] && (o->required & bit) &&
			!(in_context && (o->optional_in_context & bit)))
			return cli_usage_error(opts->command, "\"%s\" needs %s",
								   cli_command_name(opts->command), o->name);
	}
	return CLI_EXIT_OK;
}

/*
 * Keep a --property NAME=VALUE word (argv has room for every one of them);
 * false when it has no '=' or no name.
 */
static bool
add_property(CliOptions *opts, int argc, const char *word)
{
	if (opts->properties == NULL)
		opts->properties = cli_malloc(sizeof(*opts->properties) * (size_t) argc);
	opts->properties[opts->nproperties++] = word;
	return word[0] != '=' && strchr(word, '=') != NULL;
}

/* Remember a word of the command line: the first is the command, the next one an error. */
static void
note_word(const char *word, const char **command_word, const char **extra_word)
{
	if (*command_word == NULL)
		*command_word = word;
	else if (*extra_word == NULL)
		*extra_word = word;
}

/* Parse argv into opts; returns CLI_EXIT_OK, or CLI_EXIT_USAGE after printing the error. */
int
cli_parse_args(int argc, char **argv, CliOptions *opts)
{
	bool		given[N_COMMAND_OPTIONS] = {false};
	const char *command_word = NULL;
	const char *extra_word = NULL;

	memset(opts, 0, sizeof(*opts));
	opts->prompt = CLI_PROMPT_IF_NEEDED;
	opterr = 0;
	optind = 1;

	for (;;)
	{
		int			c = getopt_long(argc, argv, short_options, long_options, NULL);
		bool		ok = true;
		char		shown[128];
		int			idx;

		if (c == -1)
			break;
		switch (c)
		{
			case 1:				/* a word: the command, then nothing else */
				note_word(optarg, &command_word, &extra_word);
				break;
			case 'd':
				opts->dbname = optarg;
				break;
			case 'h':
				opts->host = optarg;
				break;
			case 'p':
				opts->port = optarg;
				break;
			case 'U':
				opts->username = optarg;
				break;
			case 'w':
				opts->prompt = CLI_PROMPT_NEVER;
				break;
			case 'W':
				opts->prompt = CLI_PROMPT_ALWAYS;
				break;
			case 'V':
				opts->version = true;
				break;
			case ':':
				rejected_option(argv, optind, shown, sizeof(shown));
				return word_error(command_so_far(command_word),
								  "option %s needs a value", shown, CLI_SHOW_VALUE);
			case OPT_HELP:
				opts->help = true;
				break;
			case '?':
				if (optopt == '?')
				{
					opts->help = true;
					break;
				}
				rejected_option(argv, optind, shown, sizeof(shown));
				if (strncmp(shown, "--", 2) == 0 && long_option_matches(shown) > 1)
					return word_error(command_so_far(command_word),
									  "option %s is ambiguous", shown, CLI_SHOW_VALUE);
				return word_error(command_so_far(command_word),
								  "unknown option %s", shown, CLI_SHOW_VALUE);
			case OPT_CONFIG:
				ok = store_value(&opts->config, optarg);
				break;
			case OPT_PRUNE:
				opts->prune = true;
				break;
			case OPT_DRY_RUN:
				opts->dry_run = true;
				break;
			case OPT_TENANT:
				ok = store_value(&opts->tenant, optarg);
				break;
			case OPT_USER:
				opts->user = optarg;
				break;
			case OPT_GROUPS:
				opts->groups = optarg;
				break;
			case OPT_ENV:
				opts->env = optarg;
				break;
			case OPT_FLAG:
				ok = store_value(&opts->flag, optarg);
				break;
			case OPT_PROPERTY:
				if (!add_property(opts, argc, optarg))
					return word_error(command_so_far(command_word),
									  "option --property needs NAME=VALUE, not %s", optarg,
									  CLI_SHOW_QUOTED);
				break;
			case OPT_SESSION_ID:
				opts->session_id = optarg;
				break;
			case OPT_REMOTE_ADDRESS:
				opts->remote_address = optarg;
				break;
			case OPT_APP_NAME:
				opts->app_name = optarg;
				break;
			case OPT_CURRENT_TIME:
				ok = store_value(&opts->current_time, optarg);
				break;
			case OPT_OUTPUT:
				ok = store_value(&opts->output, optarg);
				break;
			case OPT_OVERRIDES:
				opts->overrides = true;
				break;
			default:
				return cli_usage_error(command_so_far(command_word), "unknown option");
		}
		idx = command_option_index(c);
		if (idx >= 0)
			given[idx] = true;
		if (!ok)
			return cli_usage_error(command_so_far(command_word),
								   "option %s must not be empty", command_options[idx].name);
	}

	for (; optind < argc; optind++)	/* the words after "--" */
		note_word(argv[optind], &command_word, &extra_word);

	if (opts->help || opts->version)
		return CLI_EXIT_OK;
	if (command_word == NULL)
		return cli_usage_error(CLI_CMD_NONE, "no command given");
	opts->command = command_from_word(command_word);
	if (opts->command == CLI_CMD_NONE)
		return word_error(CLI_CMD_NONE, "unknown command %s", command_word, CLI_SHOW_QUOTED);
	if (extra_word != NULL)
		return word_error(opts->command, "unexpected argument %s", extra_word, CLI_SHOW_QUOTED);
	return check_command_options(opts, given);
}
