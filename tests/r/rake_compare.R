# Rake a sample with survey::rake and write the weights (compared with analysis.weighting.rake).
# Usage: Rscript rake_compare.R sample.csv margins.csv out.csv
# sample.csv: unit_id plus one column per raking variable; margins.csv: variable,category,total
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
s <- read.csv(args[1], colClasses = "character")
m <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
vars <- unique(m$variable)
N <- sum(m$total[m$variable == vars[1]])
s$w0 <- N / nrow(s)
d <- svydesign(ids = ~1, weights = ~w0, data = s)
sample.margins <- lapply(vars, function(v) as.formula(paste0("~", v)))
population.margins <- lapply(vars, function(v) {
  mm <- m[m$variable == v, ]
  df <- data.frame(mm$category, mm$total, stringsAsFactors = FALSE)
  names(df) <- c(v, "Freq")
  df
})
r <- rake(d, sample.margins, population.margins, control = list(maxit = 1000, epsilon = 1e-13,
                                                                 verbose = FALSE))
write.csv(data.frame(unit_id = s$unit_id, weight = sprintf("%.17g", weights(r))), args[3],
          row.names = FALSE)
