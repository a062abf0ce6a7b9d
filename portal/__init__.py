"""Budget transparency portal: parse published budget documents into YAML data files and render a static site."""
