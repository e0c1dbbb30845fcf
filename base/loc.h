/* loc.h: a place in an input file, carried by every value the front end reads. */
#ifndef VFIOC_LOC_H
#define VFIOC_LOC_H

struct loc {
	const char *file;  /* as named on the command line; NULL when there is no place */
	unsigned line;     /* 1-based; 0 = unset (a default, not written in the file) */
	unsigned col;      /* 1-based */
	unsigned len;      /* width of the token on that line, for the ~~~ underline; 0 = caret only */
};

#define LOC_SET(l) ((l).line != 0)

#endif
