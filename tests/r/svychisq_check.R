# Reference Rao-Scott tests for the 2016 -> 2021 change table: R's svychisq (second-order,
# statistic = "F") on the two waves stacked as strata of one design, equal weights, each wave
# with its own finite population correction (Inf = none). Usage:
#   Rscript svychisq_check.R input.csv output.csv
# input: columns test (id), wave, fpc, answer (NA where the unit is outside the item's base),
# one row per unit and test. output: test, F, ndf, ddf, p.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "character", "numeric", "character"))
out <- data.frame(test = character(), F = numeric(), ndf = numeric(), ddf = numeric(),
                  p = numeric())
for (t in unique(d$test)) {
  s <- d[d$test == t, ]
  s$w <- 1
  des <- svydesign(ids = ~1, strata = ~wave, fpc = ~fpc, weights = ~w, data = s)
  r <- svychisq(~wave + answer, subset(des, !is.na(answer)), statistic = "F")
  out[nrow(out) + 1, ] <- list(t, unname(r$statistic), unname(r$parameter[1]),
                               unname(r$parameter[2]), r$p.value)
}
write.csv(out, args[2], row.names = FALSE)
