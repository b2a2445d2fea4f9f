# Reference weighted estimates for the non-response weights: rake the respondents to the frame
# margins with R's survey package and estimate weighted shares with their standard errors.
# Usage: Rscript weighted_check.R sample.csv margins.csv out.csv
# sample.csv: unit_id, fpc (frame size), one column per raking variable (text) and one column
# per estimand named y_<id> (0/1, NA outside the estimand's base); margins.csv:
# variable,category,total. out.csv: estimand, method ("rake"), estimate, se, from svymean on
# the rake() design with the finite population correction; and R's raking weights as rows
# estimand "weight:<unit_id>".
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
s <- read.csv(args[1], colClasses = "character")
m <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
vars <- unique(m$variable)
ys <- grep("^y_", names(s), value = TRUE)
for (v in c("fpc", ys)) s[[v]] <- as.numeric(s[[v]])
for (v in vars) s[[v]] <- factor(s[[v]], levels = m$category[m$variable == v])
d <- svydesign(ids = ~1, fpc = ~fpc, data = s)
rk <- rake(d, lapply(vars, function(v) as.formula(paste0("~", v))),
           lapply(vars, function(v) {
             mm <- m[m$variable == v, ]
             df <- data.frame(factor(mm$category, levels = mm$category), mm$total)
             names(df) <- c(v, "Freq")
             df
           }), control = list(maxit = 1000, epsilon = 1e-14, verbose = FALSE))
out <- data.frame(estimand = character(), method = character(), estimate = numeric(),
                  se = numeric())
for (y in ys) {
  e <- svymean(as.formula(paste0("~", y)), subset(rk, !is.na(s[[y]])), na.rm = TRUE)
  out[nrow(out) + 1, ] <- list(sub("^y_", "", y), "rake", unname(coef(e)), unname(SE(e)))
}
for (i in seq_len(nrow(s))) {
  out[nrow(out) + 1, ] <- list(paste0("weight:", s$unit_id[i]), "rake",
                               unname(weights(rk)[i]), NA)
}
out$estimate <- sprintf("%.17g", out$estimate)
out$se <- sprintf("%.17g", out$se)
write.csv(out, args[3], row.names = FALSE)
