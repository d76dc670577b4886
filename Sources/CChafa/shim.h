#ifndef POSESTUDIO_CCHAFA_SHIM_H
#define POSESTUDIO_CCHAFA_SHIM_H
/* chafa 1.12 for TerminalPreview (its only importer). chafa.h needs glib.h: chafa.pc requires
   glib-2.0, and Debian's libchafa-dev does not pull in libglib2.0-dev (bootstrap installs it). */
#include <chafa.h>
#endif
