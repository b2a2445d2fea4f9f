# Reference estimates for the survey stage: domain means (percentages, mean scores) and their
# standard errors under simple random sampling without replacement from the frame, with R's
# `survey` package. Usage: Rscript survey_check.R input.csv output.csv
# input: one row per responding unit; column `fpc` (frame size, or NA for no correction) and one
# column per estimand holding the unit's value, NA outside the estimand's domain.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE)
est_cols <- setdiff(names(d), "fpc")
names(d) <- c("fpc", sprintf("e%04d", seq_along(est_cols)))[match(names(d), c("fpc", est_cols))]
if (all(is.na(d$fpc))) {
  des <- svydesign(ids = ~1, data = d)
} else {
  des <- svydesign(ids = ~1, fpc = ~fpc, data = d)
}
out <- data.frame(estimand = character(), estimate = numeric(), se = numeric())
for (i in seq_along(est_cols)) {
  v <- sprintf("e%04d", i)
  sub <- subset(des, !is.na(d[[v]]))
  m <- svymean(as.formula(paste0("~", v)), sub)
  out[nrow(out) + 1, ] <- list(est_cols[i], unname(coef(m)), unname(SE(m)))
}
write.csv(out, args[2], row.names = FALSE)
