# Reference values for analysis.survey.inference with R's survey package.
# Usage: Rscript inference_check.R MODE input.csv output.csv
#   chisq: input test, rows, cols, w, strata, cluster, fpc (NA = none), domain (0/1); per test
#          svychisq(~rows + cols, subset(svydesign(ids = ~cluster, strata = ~strata,
#          weights = ~w, fpc = ~fpc), domain == 1), statistic = "F"). Output: test, F, ndf, ddf, p.
#   cov:   input test, wave, unit_id, w, fpc (NA = none), y (NA outside the domain); per test the
#          waves stacked with units as clusters, svyby(~y, ~wave, svymean, covmat = TRUE).
#          Output: test, wave, mean, and the covariance as cov_<wave>.
#   fisher: input test, a, b, c, d (a 2 x 2 table by rows); output test, p (fisher.test).
#   api:   no input; writes R's apistrat (stype, awards, pw, fpc) to input.csv and the
#          svychisq(~stype + awards) of its stratified design to output.csv.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
design_of <- function(s) {
  if (all(is.na(s$fpc))) {
    svydesign(ids = ~cluster, strata = ~strata, weights = ~w, data = s)
  } else {
    svydesign(ids = ~cluster, strata = ~strata, weights = ~w, fpc = ~fpc, data = s)
  }
}
chisq_row <- function(t, r) {
  data.frame(test = t, F = sprintf("%.17g", unname(r$statistic)),
             ndf = sprintf("%.17g", unname(r$parameter[1])),
             ddf = sprintf("%.17g", unname(r$parameter[2])), p = sprintf("%.17g", r$p.value))
}
if (mode == "chisq") {
  d <- read.csv(args[2], colClasses = c("character", "character", "character", "numeric",
                                         "character", "character", "numeric", "integer"))
  out <- NULL
  for (t in unique(d$test)) {
    s <- d[d$test == t, ]
    r <- svychisq(~rows + cols, subset(design_of(s), domain == 1), statistic = "F")
    out <- rbind(out, chisq_row(t, r))
  }
  write.csv(out, args[3], row.names = FALSE)
} else if (mode == "cov") {
  d <- read.csv(args[2], colClasses = c("character", "character", "character", "numeric",
                                         "numeric", "numeric"))
  out <- NULL
  for (t in unique(d$test)) {
    s <- d[d$test == t, ]
    des <- if (all(is.na(s$fpc))) svydesign(ids = ~unit_id, weights = ~w, data = s) else
      svydesign(ids = ~unit_id, weights = ~w, fpc = ~fpc, data = s)
    b <- svyby(~y, ~wave, subset(des, !is.na(y)), svymean, covmat = TRUE)
    V <- vcov(b)
    o <- data.frame(test = t, wave = as.character(b$wave), mean = sprintf("%.17g", coef(b)))
    for (j in seq_len(ncol(V))) o[[paste0("cov_", b$wave[j])]] <- sprintf("%.17g", V[, j])
    out <- rbind(out, o)
  }
  write.csv(out, args[3], row.names = FALSE)
} else if (mode == "fisher") {
  d <- read.csv(args[2], colClasses = c("character", rep("integer", 4)))
  p <- sapply(seq_len(nrow(d)), function(i) {
    fisher.test(matrix(c(d$a[i], d$c[i], d$b[i], d$d[i]), 2))$p.value
  })
  write.csv(data.frame(test = d$test, p = sprintf("%.17g", p)), args[3], row.names = FALSE)
} else if (mode == "api") {
  data(api)
  write.csv(apistrat[, c("stype", "awards", "pw", "fpc")], args[2], row.names = FALSE)
  des <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
  write.csv(chisq_row("apistrat", svychisq(~stype + awards, des, statistic = "F")), args[3],
            row.names = FALSE)
}
