/* main.c: the command line. Dispatches to a subcommand; prints --help and --version. */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/cmd.h"

static void print_usage(FILE *out)
{
	fputs("vfioc: a declarative config compiler for PCI/GPU passthrough (VFIO).\n"
	      "Reads one YAML file describing a host and its VMs, checks it against the host's\n"
	      "real hardware (IOMMU groups, drivers, IDs, CPUs, memory) and writes a NixOS\n"
	      "module, libvirt domains and a kernel command line.\n\n"
	      "Usage: vfioc COMMAND [OPTIONS] [ARGS]\n\nCommands:\n", out);
	for (size_t i = 0; commands[i]; i++)
		fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fputs("  help     show the help of a command: vfioc help COMMAND\n\n"
	      "Options:\n"
	      "  -h, --help     this text\n"
	      "  -V, --version  print the version\n\n"
	      "Exit status: 0 clean or warnings only, 1 errors in the config or against the\n"
	      "hardware, 2 bad command line, 3 system failure (I/O, unreadable hardware).\n", out);
}

static int help(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stdout);
		return EXIT_OK;
	}
	const struct command *c = command_find(argv[1]);
	if (!c) {
		cli_unknown_command("vfioc help", argv[1]);
		return EXIT_USAGE;
	}
	cli_print_help(c, stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
		return help(1, argv);
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		puts("vfioc " VFIOC_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "help"))
		return help(argc - 1, argv + 1);
	const struct command *c = command_find(cmd);
	if (!c) {
		cli_unknown_command("vfioc", cmd);
		return EXIT_USAGE;
	}
	/* COMMAND --help anywhere before "--" shows the command's help. */
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cli_print_help(c, stdout);
			return EXIT_OK;
		}
	int rc = c->run(argc - 1, argv + 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("vfioc: error: writing standard output");
		return EXIT_SYSTEM;
	}
	return rc;
}
